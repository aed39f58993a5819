/**
 * Notifications: the live list (shared with the unread badge on the tab), relative timestamps,
 * read/unread, mark read, mark all read; activating one follows its link (a dashboard link
 * switches tabs, e.g. a new request opens Requests).
 */
import { h, render } from '../../shared/dom.ts';
import { formatDateTime, relativeTime } from '../../shared/format.ts';
import type { Notification } from '../../shared/notification-feed.ts';
import type { DashboardContext, DashboardTab } from '../context.ts';
import { empty, loading, sectionHeading } from '../ui.ts';

const CLOCK_MS = 60_000;

export class NotificationsTab implements DashboardTab {
  readonly id = 'notifications';
  readonly label = 'Notifications';
  readonly #ctx: DashboardContext;

  constructor(ctx: DashboardContext) {
    this.#ctx = ctx;
  }

  show(panel: HTMLElement, _target: string | undefined, signal: AbortSignal): void {
    const { feed } = this.#ctx;
    const list = h('div');
    const error = h('p', { class: 'text-sm text-danger', role: 'alert', hidden: true });
    const readAll = h(
      'button',
      { type: 'button', class: 'btn btn-secondary', 'data-action': 'read-all', onclick: () => this.#run(() => feed.markAllRead(), error) },
      'Mark all read',
    );
    render(panel, sectionHeading('Notifications', readAll), error, list);
    const draw = () => {
      readAll.disabled = feed.unreadCount === 0;
      if (!feed.loaded) return render(list, loading('notifications'));
      if (!feed.items.length) return render(list, empty('No notifications yet.'));
      const now = Date.now();
      render(list, h('ul', { class: 'flex flex-col gap-2', 'aria-label': 'Notifications' }, feed.items.map((n) => this.#item(n, now, error))));
    };
    feed.addEventListener('change', draw, { signal });
    const clock = setInterval(draw, CLOCK_MS);
    signal.addEventListener('abort', () => clearInterval(clock), { once: true });
    draw();
  }

  #item(n: Notification, now: number, error: HTMLElement): HTMLLIElement {
    const { feed } = this.#ctx;
    const unread = !n.read_status;
    const text = [
      h('span', { class: `block break-words ${unread ? 'font-semibold' : ''}` }, n.message),
      h(
        'span',
        { class: 'block text-xs text-ink-muted' },
        h('time', { datetime: n.timestamp, title: formatDateTime(n.timestamp) }, relativeTime(n.timestamp, now)),
        unread ? ' · unread' : ' · read',
      ),
    ];
    return h(
      'li',
      { class: `card p-3 flex items-start gap-3 ${unread ? 'border-accent' : ''}`, 'data-notification-id': n.id, 'data-unread': unread, part: 'notification' },
      h('span', { class: `mt-2 size-2 shrink-0 rounded-full ${unread ? 'bg-accent' : 'bg-transparent'}`, 'aria-hidden': 'true' }),
      n.link
        ? h('button', { type: 'button', class: 'flex-1 min-w-0 text-left text-sm hover:underline', onclick: () => this.#open(n, error) }, text)
        : h('div', { class: 'flex-1 min-w-0 text-sm' }, text),
      h(
        'button',
        {
          type: 'button',
          class: 'shrink-0 text-sm font-medium text-accent hover:underline',
          'data-action': unread ? 'mark-read' : 'mark-unread',
          'aria-label': `${unread ? 'Mark read' : 'Mark unread'}: ${n.message}`,
          onclick: () => this.#run(() => feed.markRead(n.id, unread), error),
        },
        unread ? 'Mark read' : 'Mark unread',
      ),
    );
  }

  #open(n: Notification, error: HTMLElement): void {
    if (!n.read_status) this.#run(() => this.#ctx.feed.markRead(n.id), error);
    if (n.link) this.#ctx.navigate(n.link);
  }

  #run(task: () => Promise<void>, error: HTMLElement): void {
    error.hidden = true;
    task().catch((err: unknown) => {
      const message = this.#ctx.fail(err);
      if (!message) return;
      error.textContent = message;
      error.hidden = false;
    });
  }
}

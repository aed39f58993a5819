import { WidgetElement } from '../shared/base-element.ts';
import { h, render, uid } from '../shared/dom.ts';
import { emit } from '../shared/events.ts';
import { formatDateTime, relativeTime } from '../shared/format.ts';
import { bellIcon, checkIcon } from '../shared/icons.ts';
import { NotificationFeed, type FeedChange, type Notification } from '../shared/notification-feed.ts';
import { readNotificationUpdate } from '../shared/protocol.ts';
import { RealtimeClient } from '../shared/realtime.ts';

/** Relative timestamps ("5 minutes ago") are refreshed this often while the element is connected. */
const CLOCK_MS = 60_000;
/** Below this viewport width the panel is a sheet across the whole width. */
const SHEET_BELOW_PX = 480;
/** The panel's width on wider screens, and its distance to the viewport's edges. */
const PANEL_WIDTH_PX = 320;
const EDGE_PX = 8;

/**
 * A bell button with the unread count; it opens a panel listing the user's notifications, kept
 * live over `/ws` (reconnecting and catching up by itself).
 *
 * @attr api-base - API origin; default the page's own origin.
 * @attr ws-url - WebSocket URL; default `/ws` on `api-base`.
 *
 * @prop {string | null} token - A bearer access token.
 * @prop {TokenProvider | null} tokenProvider - Async callback returning a fresh access token.
 *
 * @event md-navigate - A notification was activated; `detail.href` is its app-relative link.
 *   Cancelable: without `preventDefault()` the page navigates to the link on `api-base`.
 * @event md-unread-change - The unread count changed (`detail.count`).
 * @event md-unauthorized - The API refused the token.
 * @event md-error - A request failed (`detail.message`).
 * @event md-connection-change - Live updates dropped (`reconnecting`) or resumed (`online`).
 *
 * @csspart button - The bell button.
 * @csspart badge - The unread count on the button.
 * @csspart panel - The drop-down panel.
 * @csspart item - One notification in the panel.
 *
 * @cssproperty --md-accent - Accent colour (links, focus ring, unread marker).
 * @cssproperty --md-badge - Badge background.
 * @cssproperty --md-surface - Panel background.
 * @cssproperty --md-text - Text colour.
 * @cssproperty --md-text-muted - Secondary text colour.
 * @cssproperty --md-border - Border colour.
 * @cssproperty --md-radius - Corner radius.
 * @cssproperty --md-font-family - Font.
 */
export class NotificationBell extends WidgetElement {
  static define(tag = 'notification-bell', registry: CustomElementRegistry = customElements): typeof NotificationBell {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  #feed: NotificationFeed | null = null;
  #signal: AbortSignal | null = null;
  #open = false;
  #connectionLost = false;
  #error: string | null = null;
  #ids = { panel: uid('md-bell-panel'), heading: uid('md-bell-heading') };
  #button!: HTMLButtonElement;
  #badge!: HTMLSpanElement;
  #panel!: HTMLDivElement;
  #list!: HTMLElement;
  #live!: HTMLElement;
  #status!: HTMLElement;

  /** Whether the panel is open. */
  get open(): boolean {
    return this.#open;
  }
  set open(value: boolean) {
    this.#setOpen(value, false);
  }

  /** The current unread count (0 until loaded). */
  get unreadCount(): number {
    return this.#feed?.unreadCount ?? 0;
  }

  protected renderSignedOut(): void {
    this.#feed = null;
    this.#renderShell();
    this.#button.disabled = true;
    this.#button.title = 'Sign in to see your notifications';
  }

  protected connected(signal: AbortSignal): void {
    this.#signal = signal;
    this.#open = false;
    this.#renderShell();
    const feed = new NotificationFeed(this.api);
    this.#feed = feed;
    feed.addEventListener('change', (event) => this.#onFeedChange((event as CustomEvent<FeedChange>).detail), { signal });

    new RealtimeClient({
      url: this.wsUrl,
      credential: () => this.credential(),
      signal,
      onMessage: (message) => {
        const update = readNotificationUpdate(message);
        if (update?.notification) feed.receive(update.notification, update.unreadCount);
        else if (update?.unreadCount !== undefined) feed.setUnreadCount(update.unreadCount);
      },
      onStateChange: (state) => {
        this.#connectionLost = state === 'reconnecting';
        this.#renderStatus();
        emit(this, 'md-connection-change', { state });
      },
      onConnected: () => this.#run(() => feed.catchUp(), signal),
      onRejected: () => emit(this, 'md-unauthorized', { message: 'This account can no longer sign in.' }),
    });

    this.#run(() => feed.load(), signal);
    // Close when a click or the keyboard focus goes elsewhere on the page. (Focus moving inside
    // the shadow root never reaches the host as focusout: target and relatedTarget retarget alike.)
    document.addEventListener('click', (event) => {
      if (this.#open && !event.composedPath().includes(this)) this.#setOpen(false, false);
    }, { signal });
    this.addEventListener('focusout', (event) => {
      if (this.#open && event.relatedTarget instanceof Element && !this.contains(event.relatedTarget)) this.#setOpen(false, false);
    }, { signal });
    for (const type of ['resize', 'scroll']) window.addEventListener(type, () => this.#open && this.#place(), { signal, capture: true, passive: true });
    const clock = setInterval(() => this.#open && this.#renderList(), CLOCK_MS);
    signal.addEventListener('abort', () => clearInterval(clock), { once: true });
  }

  #run(task: () => Promise<void>, signal: AbortSignal): void {
    task().then(
      () => {
        this.#error = null;
        this.#renderStatus();
      },
      (error: unknown) => {
        const detail = this.reportError(error, signal);
        if (!detail) return;
        this.#error = detail.message;
        this.#renderStatus();
      },
    );
  }

  #renderShell(): void {
    const root = this.shadowRoot!;
    this.#badge = h('span', {
      part: 'badge',
      class: 'absolute -top-1 -right-1 min-w-5 h-5 px-1 rounded-full bg-badge text-white text-xs font-bold leading-5 text-center',
      hidden: true,
    });
    this.#button = h(
      'button',
      {
        part: 'button',
        type: 'button',
        class: 'relative inline-flex items-center justify-center size-10 rounded-full text-ink hover:bg-surface-muted',
        'aria-haspopup': 'true',
        'aria-expanded': 'false',
        'aria-controls': this.#ids.panel,
        onclick: () => this.#setOpen(!this.#open, true),
      },
      bellIcon('size-6'),
      // The name comes from the content ("Notifications 3 unread"), so it always matches what is shown.
      h('span', { class: 'sr-only' }, 'Notifications'),
      this.#badge,
    );
    this.#list = h('ul', { class: 'max-h-96 overflow-y-auto divide-y divide-line', 'aria-labelledby': this.#ids.heading });
    this.#status = h('div', { class: 'px-4 text-sm' });
    this.#panel = h(
      'div',
      {
        part: 'panel',
        id: this.#ids.panel,
        role: 'region',
        'aria-labelledby': this.#ids.heading,
        // Fixed, and placed by #place() inside the viewport wherever the bell sits on the page.
        class: 'fixed z-50 card shadow-lg overflow-y-auto text-left',
        hidden: true,
        onkeydown: (event: KeyboardEvent) => this.#onPanelKey(event),
      },
      h(
        'div',
        { class: 'flex items-center justify-between gap-2 px-4 py-3 border-b border-line' },
        h('h2', { id: this.#ids.heading, class: 'text-base font-semibold' }, 'Notifications'),
        h(
          'button',
          { type: 'button', class: 'text-sm font-medium text-accent hover:underline', 'data-action': 'read-all', onclick: () => this.#markAllRead() },
          'Mark all read',
        ),
      ),
      this.#status,
      this.#list,
    );
    // Announces notifications that arrive while the page is open (not the initial list).
    this.#live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    render(root, h('div', { class: 'relative inline-block', onkeydown: (e: KeyboardEvent) => this.#onKey(e) }, this.#button, this.#panel, this.#live));
  }

  #onFeedChange({ added }: FeedChange): void {
    this.#renderBadge();
    if (this.#open) this.#renderList();
    const fresh = added.filter((n) => !n.read_status);
    if (fresh.length === 1) this.#live.textContent = `New notification: ${fresh[0]!.message}`;
    else if (fresh.length > 1) this.#live.textContent = `${fresh.length} new notifications`;
    emit(this, 'md-unread-change', { count: this.#feed?.unreadCount ?? 0 });
  }

  #renderBadge(): void {
    const count = this.#feed?.unreadCount ?? 0;
    this.#badge.hidden = count === 0;
    render(this.#badge, count > 99 ? '99+' : String(count), h('span', { class: 'sr-only' }, ' unread'));
  }

  #renderStatus(): void {
    const messages = [
      this.#connectionLost && h('p', { class: 'py-2 text-ink-muted' }, 'Reconnecting… live updates are paused.'),
      this.#error && h('p', { class: 'py-2 text-danger', role: 'alert' }, this.#error),
    ];
    render(this.#status, messages);
  }

  #renderList(): void {
    const feed = this.#feed;
    if (!feed) return;
    if (!feed.loaded) return render(this.#list, h('li', { class: 'px-4 py-6 text-sm text-ink-muted' }, 'Loading…'));
    if (!feed.items.length) return render(this.#list, h('li', { class: 'px-4 py-6 text-sm text-ink-muted' }, 'No notifications yet.'));
    const now = Date.now();
    render(this.#list, feed.items.map((n) => this.#renderItem(n, now)));
  }

  #renderItem(n: Notification, now: number): HTMLLIElement {
    const unread = !n.read_status;
    return h(
      'li',
      { part: 'item', class: `flex items-start gap-2 px-4 py-3 ${unread ? 'bg-surface-muted' : ''}`, 'data-id': n.id, 'data-unread': unread },
      h('span', { class: `mt-2 size-2 shrink-0 rounded-full ${unread ? 'bg-accent' : 'bg-transparent'}`, 'aria-hidden': 'true' }),
      h(
        'button',
        {
          type: 'button',
          class: 'item-open flex-1 min-w-0 text-left',
          onclick: () => this.#activate(n),
        },
        h('span', { class: `block text-sm break-words ${unread ? 'font-semibold' : ''}` }, n.message),
        h(
          'span',
          { class: 'block text-xs text-ink-muted' },
          h('time', { datetime: n.timestamp, title: formatDateTime(n.timestamp) }, relativeTime(n.timestamp, now)),
          unread ? ' · unread' : '',
        ),
      ),
      unread &&
        h(
          'button',
          {
            type: 'button',
            class: 'shrink-0 rounded p-1 text-ink-muted hover:text-accent',
            'aria-label': `Mark read: ${n.message}`,
            title: 'Mark read',
            'data-action': 'mark-read',
            onclick: () => this.#markRead(n.id),
          },
          checkIcon('size-4'),
        ),
    );
  }

  #setOpen(open: boolean, moveFocus: boolean): void {
    if (this.#open === open || !this.#panel) return;
    this.#open = open;
    this.#panel.hidden = !open;
    this.#button.setAttribute('aria-expanded', String(open));
    if (open) {
      this.#renderList();
      this.#place();
      if (moveFocus) this.#focusItem(0);
    } else if (moveFocus) {
      this.#button.focus();
    }
  }

  /**
   * Puts the open panel below the bell and inside the viewport: right-aligned with the bell where
   * it fits, shifted in from either edge where it does not, and a full-width sheet on narrow screens.
   */
  #place(): void {
    const viewport = { width: document.documentElement.clientWidth, height: window.innerHeight };
    const bell = this.#button.getBoundingClientRect();
    const width = viewport.width < SHEET_BELOW_PX ? viewport.width - 2 * EDGE_PX : Math.min(PANEL_WIDTH_PX, viewport.width - 2 * EDGE_PX);
    const left = Math.min(Math.max(EDGE_PX, bell.right - width), viewport.width - EDGE_PX - width);
    const top = Math.min(bell.bottom + EDGE_PX, viewport.height - EDGE_PX - 120);
    Object.assign(this.#panel.style, {
      left: `${left}px`,
      top: `${Math.max(EDGE_PX, top)}px`,
      width: `${width}px`,
      maxHeight: `${viewport.height - Math.max(EDGE_PX, top) - EDGE_PX}px`,
    });
  }

  #items(): HTMLButtonElement[] {
    return [...this.#list.querySelectorAll<HTMLButtonElement>('button.item-open')];
  }

  #focusItem(index: number): void {
    const items = this.#items();
    if (items.length) items[(index + items.length) % items.length]!.focus();
  }

  #onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.#open) {
      event.stopPropagation();
      this.#setOpen(false, true);
    }
  }

  /** Up/Down move between notifications, Home/End jump to the first/last. */
  #onPanelKey(event: KeyboardEvent): void {
    const items = this.#items();
    if (!items.length) return;
    const current = items.indexOf(this.shadowRoot!.activeElement as HTMLButtonElement);
    const targets: Record<string, number> = {
      ArrowDown: current + 1,
      ArrowUp: current === -1 ? items.length - 1 : current - 1,
      Home: 0,
      End: items.length - 1,
    };
    const target = targets[event.key];
    if (target === undefined) return;
    event.preventDefault();
    this.#focusItem(target);
  }

  #activate(n: Notification): void {
    if (!n.read_status) void this.#markRead(n.id);
    if (!n.link) return;
    this.#setOpen(false, false);
    if (emit(this, 'md-navigate', { href: n.link }, { cancelable: true })) {
      window.location.assign(this.resolveUrl(n.link));
    }
  }

  async #markRead(id: number): Promise<void> {
    try {
      await this.#feed?.markRead(id);
    } catch (error) {
      this.#showError(error);
    }
  }

  async #markAllRead(): Promise<void> {
    try {
      await this.#feed?.markAllRead();
    } catch (error) {
      this.#showError(error);
    }
  }

  #showError(error: unknown): void {
    if (!this.#signal) return;
    const detail = this.reportError(error, this.#signal);
    if (!detail) return;
    this.#error = detail.message;
    this.#renderStatus();
  }
}

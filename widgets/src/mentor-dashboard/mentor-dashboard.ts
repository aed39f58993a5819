import { AccountWidget, type Profile } from '../shared/account-widget.ts';
import { h, render, uid } from '../shared/dom.ts';
import { emit } from '../shared/events.ts';
import { plusIcon } from '../shared/icons.ts';
import { NotificationFeed, type FeedChange } from '../shared/notification-feed.ts';
import { readNotificationUpdate, readSessionUpdate } from '../shared/protocol.ts';
import { RealtimeClient, type ServerMessage } from '../shared/realtime.ts';
import { MetricCards } from './metrics.ts';
import { childController, isTabId, TAB_IDS, type DashboardContext, type DashboardTab, type TabId } from './context.ts';
import { AnalyticsTab } from './tabs/analytics.ts';
import { EarningsTab } from './tabs/earnings.ts';
import { NotificationsTab } from './tabs/notifications.ts';
import { ProfileTab } from './tabs/profile.ts';
import { RequestsTab } from './tabs/requests.ts';
import { SessionsTab } from './tabs/sessions.ts';

/** Notification types after which the metric cards are reloaded. */
const METRIC_CHANGES = new Set(['booking_created', 'booking_cancelled', 'session_completed', 'feedback_received', 'payout_approved', 'payout_rejected', 'payout_paid']);
/** How long a status message stays visible. */
const STATUS_MS = 6000;

/**
 * The mentor's dashboard: metric cards, and tabs for sessions, requests, earnings, analytics,
 * profile and notifications, kept live over `/ws`. Mentors only: a learner's token shows a message.
 *
 * @attr api-base - API origin; default the page's own origin.
 * @attr ws-url - WebSocket URL; default `/ws` on `api-base`.
 * @attr tab - The place shown: a tab (`sessions`, `requests`, `earnings`, `analytics`, `profile`,
 *   `notifications`), optionally with a detail (`sessions/12`, `sessions/new`). Mirrors the hash
 *   of notification links (`/dashboard#requests`).
 * @attr heading-level - Level of the "Mentor Dashboard" heading (1–6, default 2).
 *
 * @prop {string | null} token - A bearer access token.
 * @prop {TokenProvider | null} tokenProvider - Async callback returning a fresh access token.
 *
 * @slot logo - Shown before the title (a default mark otherwise).
 *
 * @event md-tab-change - The user switched tabs (`detail.tab`); hosts may mirror it in the URL.
 *   `detail.replace` is true when the place changed in place (a closed form): replace, don't push.
 * @event md-navigate - A link leaving the dashboard (`/room/12`). Cancelable: without
 *   `preventDefault()` the page navigates to it on `api-base`.
 * @event md-unread-change - The unread notification count changed (`detail.count`).
 * @event md-unauthorized - The API refused the token.
 * @event md-error - A request failed for a reason the dashboard cannot show in place.
 * @event md-connection-change - Live updates dropped (`reconnecting`) or resumed (`online`).
 *
 * @csspart base - The dashboard's outer box.
 * @csspart header - Logo, title and "+ Create Session".
 * @csspart metric - Each metric card.
 * @csspart tabs - The tab bar (wide) and the section drop-down (narrow).
 * @csspart tab - Each tab.
 * @csspart panel - The active tab's content.
 * @csspart message - The notice shown to learners and signed-out visitors.
 * @csspart session - A session in the Sessions tab.
 * @csspart attendance - The list of who came to a class, under a session in the Sessions tab.
 * @csspart request - A request in the Requests tab.
 * @csspart notification - A notification in the Notifications tab.
 * @csspart chart - A chart.
 *
 * @cssproperty --md-accent - Accent colour (primary buttons, active tab, chart bars).
 * @cssproperty --md-accent-hover - Primary button hover colour.
 * @cssproperty --md-on-accent - Text on the accent colour.
 * @cssproperty --md-surface - Card background.
 * @cssproperty --md-surface-muted - Subtle background (hover, unread).
 * @cssproperty --md-text - Text colour.
 * @cssproperty --md-text-muted - Secondary text colour.
 * @cssproperty --md-border - Border colour.
 * @cssproperty --md-danger - Errors and destructive actions.
 * @cssproperty --md-success - Confirmations.
 * @cssproperty --md-badge - Unread badge background.
 * @cssproperty --md-radius - Corner radius.
 * @cssproperty --md-font-family - Font.
 */
export class MentorDashboard extends AccountWidget {
  static override readonly observedAttributes = [...AccountWidget.observedAttributes, 'tab', 'heading-level'];

  static define(tag = 'mentor-dashboard', registry: CustomElementRegistry = customElements): typeof MentorDashboard {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  #tabs = new Map<TabId, DashboardTab>();
  #ctx: DashboardContext | null = null;
  #tabScope: AbortController | null = null;
  #activeTab: TabId | null = null;
  #ids = { panel: uid('md-panel'), select: uid('md-section') };
  #metrics: MetricCards | null = null;
  #tabList: HTMLElement | null = null;
  #sectionSelect: HTMLSelectElement | null = null;
  #panel: HTMLElement | null = null;
  #status: HTMLElement | null = null;
  #banner: HTMLElement | null = null;
  #statusTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set while the `tab` attribute follows what is already shown (no re-render). */
  #quietLocation = false;

  /** The place shown, e.g. `requests` or `sessions/12` (default `sessions`). */
  get tab(): string {
    return this.getAttribute('tab') || 'sessions';
  }
  set tab(value: string) {
    this.setAttribute('tab', value);
  }

  get headingLevel(): number {
    const level = Number(this.getAttribute('heading-level'));
    return Number.isInteger(level) && level >= 1 && level <= 6 ? level : 2;
  }
  set headingLevel(value: number) {
    this.setAttribute('heading-level', String(value));
  }

  protected override attributeChanged(name: string): boolean {
    if (name === 'tab') {
      if (!this.#quietLocation) this.#showLocation();
      return true;
    }
    return false;
  }

  protected readonly loadingText = 'Loading your dashboard…';
  protected readonly signedOutText = 'Sign in to see your mentor dashboard.';

  protected refusal(profile: Profile): string | null {
    return profile.role === 'mentor' ? null : `The mentor dashboard is for mentors. You are signed in as ${profile.username}, a learner account.`;
  }

  protected resetState(): void {
    this.#tabScope?.abort();
    this.#tabScope = null;
    this.#activeTab = null;
    this.#ctx = null;
    this.#tabs.clear();
    clearTimeout(this.#statusTimer);
    this.#metrics?.dispose();
  }

  protected startFor(profile: Profile, signal: AbortSignal): void {
    const feed = new NotificationFeed(this.api);
    const realtime = new RealtimeClient({
      url: this.wsUrl,
      credential: () => this.credential(),
      signal,
      onMessage: (message) => this.#onMessage(message),
      onStateChange: (state) => {
        if (this.#banner) this.#banner.hidden = state === 'online';
        emit(this, 'md-connection-change', { state });
      },
      // Session rows reconcile themselves when their subscriptions are confirmed (SessionsTab).
      onConnected: ({ reconnected }) => {
        this.#catchUp(() => feed.catchUp());
        if (reconnected) this.#refreshMetrics();
      },
      onRejected: () => emit(this, 'md-unauthorized', { message: 'This account can no longer sign in.' }),
    });
    const ctx: DashboardContext = {
      api: this.api,
      signal,
      profile,
      feed,
      realtime,
      resolve: (path) => this.resolveUrl(path),
      announce: (message) => this.#announce(message),
      fail: (error) => this.reportError(error, signal)?.message ?? null,
      navigate: (href) => this.#navigate(href),
      replaceLocation: (location) => this.#replaceLocation(location),
      refreshMetrics: () => this.#refreshMetrics(),
    };
    this.#ctx = ctx;
    for (const tab of [new SessionsTab(ctx), new RequestsTab(ctx), new EarningsTab(ctx), new AnalyticsTab(ctx), new ProfileTab(ctx), new NotificationsTab(ctx)]) {
      this.#tabs.set(tab.id, tab);
    }
    feed.addEventListener('change', (event) => this.#onFeedChange((event as CustomEvent<FeedChange>).detail), { signal });

    this.#renderShell();
    this.#metrics?.load(signal);
    this.#catchUp(() => feed.load());
    this.#showLocation();
  }

  #refreshMetrics(): void {
    if (this.#ctx) this.#metrics?.refresh(this.#ctx.signal);
  }

  #catchUp(task: () => Promise<void>): void {
    task().catch((error: unknown) => this.#ctx?.fail(error));
  }

  #activeTabObject(): DashboardTab | undefined {
    return this.#activeTab ? this.#tabs.get(this.#activeTab) : undefined;
  }

  #onMessage(message: ServerMessage): void {
    const ctx = this.#ctx;
    if (!ctx) return;
    const note = readNotificationUpdate(message);
    if (note?.notification) ctx.feed.receive(note.notification, note.unreadCount);
    else if (note?.unreadCount !== undefined) ctx.feed.setUnreadCount(note.unreadCount);
    const session = readSessionUpdate(message);
    if (session) this.#tabs.get('sessions')?.onSessionUpdate?.(session);
    if (message.type === 'subscribed') this.#activeTabObject()?.onSubscribed?.(message.channel);
  }

  #onFeedChange({ added }: FeedChange): void {
    const count = this.#ctx?.feed.unreadCount ?? 0;
    this.#renderBadges(count);
    emit(this, 'md-unread-change', { count });
    if (added.some((n) => METRIC_CHANGES.has(n.type))) this.#refreshMetrics();
    if (added.length) this.#activeTabObject()?.onNotifications?.(added);
  }

  #renderShell(): void {
    const Heading = `h${this.headingLevel}` as 'h2';
    this.#metrics = new MetricCards(this.api, (error, signal) => this.reportError(error, signal)?.message ?? null);
    this.#tabList = h('div', { role: 'tablist', 'aria-label': 'Dashboard sections', class: 'hidden @min-[40rem]:flex flex-wrap gap-1 border-b border-line', onkeydown: (e: KeyboardEvent) => this.#onTabKey(e) });
    this.#sectionSelect = h('select', { id: this.#ids.select, class: 'field-input', onchange: (e: Event) => this.#select((e.target as HTMLSelectElement).value) });
    this.#panel = h('div', { id: this.#ids.panel, role: 'tabpanel', part: 'panel', class: 'min-w-0', tabindex: '-1' });
    this.#status = h('p', { role: 'status', 'aria-live': 'polite', class: 'text-sm text-success empty:hidden' });
    this.#banner = h('p', { class: 'rounded-md bg-amber-100 px-3 py-2 text-sm text-amber-900', role: 'status', hidden: true }, 'Reconnecting… live updates are paused.');
    for (const tab of this.#tabs.values()) {
      this.#tabList.append(
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            part: 'tab',
            id: `${this.#ids.panel}-${tab.id}`,
            'aria-controls': this.#ids.panel,
            'aria-selected': 'false',
            tabindex: '-1',
            'data-tab': tab.id,
            class:
              '-mb-px inline-flex items-center gap-2 border-b-2 border-transparent px-3 py-2 text-sm font-medium text-ink-muted hover:text-ink aria-selected:border-accent aria-selected:text-accent',
            onclick: () => this.#select(tab.id),
          },
          tab.label,
          tab.id === 'notifications' && h('span', { class: 'tab-badge rounded-full bg-badge px-1.5 text-xs font-bold text-white', hidden: true }),
        ),
      );
      this.#sectionSelect.append(h('option', { value: tab.id }, tab.label));
    }
    render(
      this.shadowRoot!,
      h(
        'div',
        { part: 'base', class: '@container flex flex-col gap-5 p-4 min-w-0' },
        h(
          'header',
          { part: 'header', class: 'flex flex-wrap items-center justify-between gap-3' },
          h(
            'div',
            { class: 'flex min-w-0 items-center gap-3' },
            h('slot', { name: 'logo' }, h('span', { class: 'inline-block size-8 rounded-lg bg-accent', 'aria-hidden': 'true' })),
            h(Heading, { class: 'text-xl font-bold' }, 'Mentor Dashboard'),
          ),
          h('button', { type: 'button', class: 'btn btn-primary', 'data-action': 'create-session', onclick: () => this.#select('sessions/new') }, plusIcon('size-4'), 'Create Session'),
        ),
        this.#banner,
        this.#status,
        this.#metrics.root,
        h(
          'nav',
          { part: 'tabs', 'aria-label': 'Dashboard' },
          this.#tabList,
          h(
            'div',
            { class: 'flex flex-col gap-1 @min-[40rem]:hidden' },
            h('label', { for: this.#ids.select, class: 'text-sm font-medium' }, 'Section'),
            this.#sectionSelect,
          ),
        ),
        this.#panel,
      ),
    );
  }

  // ---------------------------------------------------------------- tabs

  #renderBadges(count: number): void {
    const badge = this.#tabList?.querySelector<HTMLElement>('.tab-badge');
    if (badge) {
      badge.hidden = count === 0;
      render(badge, count > 99 ? '99+' : String(count), h('span', { class: 'sr-only' }, ' unread'));
    }
    const option = this.#sectionSelect?.querySelector<HTMLOptionElement>('option[value="notifications"]');
    if (option) option.textContent = count ? `Notifications (${count > 99 ? '99+' : count} unread)` : 'Notifications';
  }

  /** Shows a place chosen by the user, and tells the host. */
  #select(location: string): void {
    // Choosing the place already shown (after a form closed in place) shows it afresh.
    if (this.tab === location) this.#showLocation();
    else this.tab = location;
    emit(this, 'md-tab-change', { tab: location });
  }

  #replaceLocation(location: string): void {
    if (this.tab === location) return;
    this.#quietLocation = true;
    try {
      this.tab = location;
    } finally {
      this.#quietLocation = false;
    }
    emit(this, 'md-tab-change', { tab: location, replace: true });
  }

  /** Renders the tab named by the `tab` attribute (re-rendering it if it is already shown). */
  #showLocation(): void {
    const ctx = this.#ctx;
    if (!ctx || !this.#panel) return;
    const [name = '', target] = this.tab.split('/', 2);
    const id: TabId = isTabId(name) ? name : 'sessions';
    const tab = this.#tabs.get(id)!;
    this.#tabScope?.abort();
    this.#tabScope = childController(ctx.signal);
    this.#activeTab = id;
    for (const button of this.#tabList?.querySelectorAll<HTMLElement>('[role=tab]') ?? []) {
      const active = button.dataset.tab === id;
      button.setAttribute('aria-selected', String(active));
      button.tabIndex = active ? 0 : -1;
    }
    this.#panel.setAttribute('aria-labelledby', `${this.#ids.panel}-${id}`);
    if (this.#sectionSelect) this.#sectionSelect.value = id;
    this.#panel.replaceChildren();
    tab.show(this.#panel, target, this.#tabScope.signal);
  }

  /** Arrow keys move between tabs (and show them), Home/End jump to the first/last. */
  #onTabKey(event: KeyboardEvent): void {
    const current = TAB_IDS.indexOf(this.#activeTab ?? 'sessions');
    const targets: Record<string, number> = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: TAB_IDS.length - 1 };
    const target = targets[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const id = TAB_IDS[(target + TAB_IDS.length) % TAB_IDS.length]!;
    this.#select(id);
    this.#tabList?.querySelector<HTMLElement>(`[data-tab="${id}"]`)?.focus();
  }

  // ---------------------------------------------------------------- host communication

  #navigate(href: string): void {
    const url = new URL(href, 'https://app.invalid');
    if (url.origin === 'https://app.invalid' && url.pathname === '/dashboard' && url.hash.length > 1) {
      this.#select(decodeURIComponent(url.hash.slice(1)));
      this.#panel?.focus({ preventScroll: true });
      return;
    }
    if (emit(this, 'md-navigate', { href }, { cancelable: true })) {
      window.location.assign(this.resolveUrl(href));
    }
  }

  #announce(message: string): void {
    if (!this.#status) return;
    this.#status.textContent = message;
    clearTimeout(this.#statusTimer);
    this.#statusTimer = setTimeout(() => {
      if (this.#status) this.#status.textContent = '';
    }, STATUS_MS);
  }
}

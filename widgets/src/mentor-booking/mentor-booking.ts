import { AccountWidget, type Profile } from '../shared/account-widget.ts';
import { h, render } from '../shared/dom.ts';
import { emit } from '../shared/events.ts';
import { readNotificationUpdate, readSessionUpdate } from '../shared/protocol.ts';
import { RealtimeClient, type ServerMessage } from '../shared/realtime.ts';
import type { BookingContext, LiveView } from './context.ts';
import { DirectoryView } from './views/directory.ts';
import { MentorView } from './views/mentor.ts';
import { MineView } from './views/mine.ts';

/** How long a status message stays visible. */
const STATUS_MS = 6000;

export type BookingViewName = 'all' | 'browse' | 'mine';

/**
 * The learners' side: the mentor directory or one mentor's page with bookable sessions and
 * "Request a session", and the learner's own bookings and requests, kept live over `/ws`.
 *
 * @attr api-base - API origin; default the page's own origin.
 * @attr ws-url - WebSocket URL; default `/ws` on `api-base`.
 * @attr mentor-id - Show this mentor (card, upcoming sessions, request form) instead of the directory.
 * @attr view - `browse` (the directory or the mentor only), `mine` (my bookings and requests only)
 *   or `all` (default: both, mine below).
 * @attr heading-level - Level of the widget's heading (1–5, default 2); sections use the next level.
 *
 * @prop {string | null} token - A bearer access token.
 * @prop {TokenProvider | null} tokenProvider - Async callback returning a fresh access token.
 *
 * @event md-navigate - A link leaving the widget (`/mentors/3`, `/room/12`). Cancelable: without
 *   `preventDefault()` the page navigates to it on `api-base`.
 * @event md-unauthorized - The API refused the token.
 * @event md-error - A request failed for a reason the widget cannot show in place.
 * @event md-connection-change - Live updates dropped (`reconnecting`) or resumed (`online`).
 *
 * @csspart base - The widget's outer box.
 * @csspart message - The notice shown to signed-out visitors and to mentors in the `mine` view.
 * @csspart directory - The mentor directory (search, list, pages).
 * @csspart mentor - A mentor's card (in the directory and on the mentor's page).
 * @csspart sessions - The mentor's upcoming sessions.
 * @csspart session - One bookable session.
 * @csspart request-form - "Request a session".
 * @csspart bookings - My bookings (upcoming and past).
 * @csspart booking - One booking.
 * @csspart requests - My requests.
 * @csspart request - One request.
 *
 * @cssproperty --md-accent - Accent colour (primary buttons, links).
 * @cssproperty --md-accent-hover - Primary button hover colour.
 * @cssproperty --md-on-accent - Text on the accent colour.
 * @cssproperty --md-surface - Card background.
 * @cssproperty --md-surface-muted - Subtle background (expertise tags).
 * @cssproperty --md-text - Text colour.
 * @cssproperty --md-text-muted - Secondary text colour.
 * @cssproperty --md-border - Border colour.
 * @cssproperty --md-danger - Errors and destructive actions.
 * @cssproperty --md-success - Confirmations.
 * @cssproperty --md-radius - Corner radius.
 * @cssproperty --md-font-family - Font.
 */
export class MentorBooking extends AccountWidget {
  static override readonly observedAttributes = [...AccountWidget.observedAttributes, 'mentor-id', 'view', 'heading-level'];

  static define(tag = 'mentor-booking', registry: CustomElementRegistry = customElements): typeof MentorBooking {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  #views: LiveView[] = [];
  #mine: MineView | null = null;
  #status: HTMLElement | null = null;
  #banner: HTMLElement | null = null;
  #statusTimer: ReturnType<typeof setTimeout> | undefined;

  /** The mentor shown, or null for the directory. */
  get mentorId(): number | null {
    const id = Number(this.getAttribute('mentor-id'));
    return Number.isInteger(id) && id > 0 ? id : null;
  }
  set mentorId(value: number | null) {
    if (value === null) this.removeAttribute('mentor-id');
    else this.setAttribute('mentor-id', String(value));
  }

  get view(): BookingViewName {
    const view = this.getAttribute('view');
    return view === 'browse' || view === 'mine' ? view : 'all';
  }
  set view(value: BookingViewName) {
    this.setAttribute('view', value);
  }

  get headingLevel(): number {
    const level = Number(this.getAttribute('heading-level'));
    return Number.isInteger(level) && level >= 1 && level <= 5 ? level : 2;
  }
  set headingLevel(value: number) {
    this.setAttribute('heading-level', String(value));
  }

  protected readonly loadingText = 'Loading…';
  protected readonly signedOutText = 'Sign in to book mentors and see your bookings.';

  protected refusal(profile: Profile): string | null {
    if (profile.role === 'learner' || this.view !== 'mine') return null;
    return `Bookings and requests are for learners. You are signed in as ${profile.username}, a ${profile.role} account.`;
  }

  protected resetState(): void {
    this.#views = [];
    this.#mine = null;
    clearTimeout(this.#statusTimer);
  }

  protected startFor(profile: Profile, signal: AbortSignal): void {
    const realtime = new RealtimeClient({
      url: this.wsUrl,
      credential: () => this.credential(),
      signal,
      onMessage: (message) => this.#onMessage(message),
      onStateChange: (state) => {
        if (this.#banner) this.#banner.hidden = state === 'online';
        emit(this, 'md-connection-change', { state });
      },
      onConnected: ({ reconnected }) => {
        if (reconnected) for (const view of this.#views) view.onReconnected?.();
      },
      onRejected: () => emit(this, 'md-unauthorized', { message: 'This account can no longer sign in.' }),
    });
    const ctx: BookingContext = {
      api: this.api,
      signal,
      profile,
      canBook: profile.role === 'learner',
      realtime,
      headingLevel: this.headingLevel + 1,
      resolve: (path) => this.resolveUrl(path),
      announce: (message) => this.#announce(message),
      fail: (error) => this.reportError(error, signal)?.message ?? null,
      navigate: (href) => {
        if (emit(this, 'md-navigate', { href }, { cancelable: true })) window.location.assign(this.resolveUrl(href));
      },
      changed: () => this.#mine?.reload(),
    };
    this.#status = h('p', { role: 'status', 'aria-live': 'polite', class: 'text-sm text-success empty:hidden' });
    this.#banner = h('p', { class: 'rounded-md bg-amber-100 px-3 py-2 text-sm text-amber-900', role: 'status', hidden: true }, 'Reconnecting… live updates are paused.');
    const browse = h('div', { class: 'min-w-0' });
    const mine = h('div', { class: 'min-w-0' });
    const Heading = `h${this.headingLevel}` as 'h2';
    const title = this.view === 'mine' ? 'My bookings and requests' : this.mentorId ? 'Book a session' : 'Mentors';
    render(
      this.shadowRoot!,
      h(
        'div',
        { part: 'base', class: '@container flex flex-col gap-5 p-4 min-w-0' },
        h(Heading, { class: 'text-xl font-bold' }, title),
        this.#banner,
        this.#status,
        this.view !== 'mine' && browse,
        this.view !== 'browse' && ctx.canBook && mine,
      ),
    );
    if (this.view !== 'mine') {
      const mentorId = this.mentorId;
      if (mentorId) {
        const view = new MentorView(ctx, mentorId);
        this.#views.push(view);
        view.render(browse);
      } else {
        new DirectoryView(ctx).render(browse);
      }
    }
    if (this.view !== 'browse' && ctx.canBook) {
      this.#mine = new MineView(ctx);
      this.#views.push(this.#mine);
      this.#mine.render(mine);
    }
  }

  #onMessage(message: ServerMessage): void {
    const note = readNotificationUpdate(message);
    if (note?.notification) {
      const type = note.notification.type;
      for (const view of this.#views) view.onNotification?.(type);
      if (type === 'request_accepted') this.#announce('A mentor accepted your request.');
      if (type === 'request_declined') this.#announce('A mentor declined your request.');
    }
    const session = readSessionUpdate(message);
    if (session) for (const view of this.#views) view.onSessionUpdate?.(session);
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

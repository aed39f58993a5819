import { unwrap, type Schema } from '../shared/api.ts';
import { WidgetElement } from '../shared/base-element.ts';
import { h, render, uid, type Child } from '../shared/dom.ts';
import { emit, type RoomChangeDetail } from '../shared/events.ts';
import { formatDateTime, fullName, opensAt } from '../shared/format.ts';
import { RealtimeClient, type ConnectionState, type ServerMessage } from '../shared/realtime.ts';
import { Call, type RemoteView } from './call.ts';
import { ChatPanel } from './chat.ts';
import { feedbackSection, type Feedback } from './feedback.ts';
import { cameraIcon, cameraOffIcon, endIcon, leaveIcon, micIcon, micOffIcon, screenIcon } from './icons.ts';
import { LocalMedia } from './media.ts';
import { VideoTile } from './tiles.ts';

type Session = Schema<'Session'>;
type Profile = Schema<'Profile'>;
type Booking = Schema<'Booking'>;
type Message<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** What the element shows. */
export type RoomView = 'loading' | 'notice' | RoomChangeDetail['view'];

/** The parts of the call view that live as long as the call. */
interface CallUi {
  banner: HTMLElement;
  tiles: HTMLElement;
  local: VideoTile;
  remotes: Map<string, VideoTile>;
  controls: HTMLElement;
  confirmEnd: boolean;
  error: HTMLElement;
}

/** The parts of the lobby that live as long as the lobby. */
interface LobbyUi {
  banner: HTMLElement;
  preview: VideoTile;
  devices: HTMLElement;
  readiness: HTMLElement;
}

/** Errors answering our `subscribe` to the room: the call cannot go on. */
const JOIN_REFUSALS = new Set(['forbidden', 'not_found', 'room_not_open', 'room_window_not_open', 'room_window_closed', 'unavailable', 'too_many_subscriptions']);

const isIceServer = (value: unknown): value is RTCIceServer =>
  typeof value === 'object' && value !== null && (typeof (value as RTCIceServer).urls === 'string' || Array.isArray((value as RTCIceServer).urls));

/**
 * A live class: a lobby with a camera and microphone preview, device choice and the readiness of
 * both sides ("I'm Ready" for the mentor, a confirmation for learners, "Start Class" once both
 * are); then the call — a video feed per participant over WebRTC (simple-peer, signalled through
 * the room's `/ws` channel), mute, camera off, screen sharing, leave, the chat, and a
 * "Reconnecting…" banner while the socket or a connection recovers; at the end, a feedback
 * prompt for learners.
 *
 * @attr session-id - The session whose class this is (required).
 * @attr ice-servers - JSON array of RTCIceServer objects used instead of `GET /api/rtc/config/`
 *   (e.g. `[]` for peers on one network; tests use it so no public STUN server is ever asked).
 * @attr heading-level - Level of the class title heading (1–6, default 2).
 * @attr api-base - API origin; default the page's own origin.
 * @attr ws-url - WebSocket URL; default `/ws` on `api-base`.
 *
 * @prop {string | null} token - A bearer access token.
 * @prop {TokenProvider | null} tokenProvider - Async callback returning a fresh access token.
 * @prop {RoomView} view - What is shown (read-only): `loading`, `notice`, `lobby`, `call`, `ended`.
 *
 * @event md-room-change - The lobby, the call or the end of the class is shown (`detail.view`).
 * @event md-navigate - "Back to the dashboard" after a class (`detail.href`). Cancelable:
 *   without `preventDefault()` the page navigates to it on `api-base`.
 * @event md-connection-change - The socket dropped (`reconnecting`) or is back (`online`).
 * @event md-unauthorized - The API refused the token.
 * @event md-error - A request failed for a reason the room cannot show in place.
 *
 * @csspart base - The room's outer box.
 * @csspart header - Title, time and mentor.
 * @csspart banner - The "Reconnecting…" banner.
 * @csspart preview - The lobby's camera preview.
 * @csspart readiness - Who is ready, and the lobby's buttons.
 * @csspart videos - The grid of video feeds.
 * @csspart tile - One video feed with its caption.
 * @csspart controls - Mute, camera, share screen, leave, end class.
 * @csspart chat - The chat panel.
 * @csspart chat-message - One chat message.
 * @csspart feedback - The learner's feedback form after the class.
 * @csspart message - A notice (signed out, no such class, not booked, cancelled).
 *
 * @cssproperty --md-accent - Primary buttons, focus ring.
 * @cssproperty --md-accent-hover - Primary button hover colour.
 * @cssproperty --md-on-accent - Text on the accent colour.
 * @cssproperty --md-surface - Card background.
 * @cssproperty --md-surface-muted - Subtle background.
 * @cssproperty --md-text - Text colour.
 * @cssproperty --md-text-muted - Secondary text colour.
 * @cssproperty --md-border - Borders.
 * @cssproperty --md-danger - Errors, "Muted", leave and end buttons.
 * @cssproperty --md-success - Readiness and confirmations.
 * @cssproperty --md-radius - Corner radius.
 * @cssproperty --md-font-family - Font.
 */
export class SessionRoom extends WidgetElement {
  static override readonly observedAttributes = [...WidgetElement.observedAttributes, 'session-id', 'ice-servers', 'heading-level'];

  static define(tag = 'session-room', registry: CustomElementRegistry = customElements): typeof SessionRoom {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  #signal: AbortSignal | null = null;
  #view: RoomView = 'loading';
  #profile: Profile | null = null;
  #session: Session | null = null;
  #booking: Booking | null = null;
  #realtime: RealtimeClient | null = null;
  #media: LocalMedia | null = null;
  #call: Call | null = null;
  #chat: ChatPanel | null = null;
  #callUi: CallUi | null = null;
  #lobbyUi: LobbyUi | null = null;
  /** Display names by user id (the mentor, the mentor's learners, chat senders). */
  #names = new Map<number, string>();
  #socketDown = false;
  /** The user is in the call: the room channel is wanted. */
  #inCall = false;
  /** `room_state` arrived on the current socket: signals and chat may be sent. */
  #inRoom = false;
  /** `room_state`s received during this call; every one after the first is a rejoin. */
  #roomJoins = 0;
  /** Users whose peer left during the call: when they come back, show it as a reconnection. */
  #returning = new Set<number>();
  #busy = false;
  /** Re-renders the lobby while "I'm Ready" waits for its window ("Opens 11:30 (in 5 minutes)"). */
  #opensTimer: ReturnType<typeof setTimeout> | undefined;
  #lobbyMessage: { text: string; error: boolean } | null = null;
  #chatSeq = 0;

  /** The session whose class this is; null when the attribute is missing or invalid. */
  get sessionId(): number | null {
    const id = Number(this.getAttribute('session-id'));
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  }
  set sessionId(value: number | null) {
    if (value === null) this.removeAttribute('session-id');
    else this.setAttribute('session-id', String(value));
  }

  /** ICE servers from the `ice-servers` attribute; null (ask the API) when absent or invalid. */
  get iceServers(): RTCIceServer[] | null {
    const raw = this.getAttribute('ice-servers');
    if (raw === null) return null;
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) && parsed.every(isIceServer) ? parsed : null;
    } catch {
      return null;
    }
  }
  set iceServers(value: RTCIceServer[] | null) {
    if (value === null) this.removeAttribute('ice-servers');
    else this.setAttribute('ice-servers', JSON.stringify(value));
  }

  get headingLevel(): number {
    const level = Number(this.getAttribute('heading-level'));
    return Number.isInteger(level) && level >= 1 && level <= 6 ? level : 2;
  }
  set headingLevel(value: number) {
    this.setAttribute('heading-level', String(value));
  }

  get view(): RoomView {
    return this.#view;
  }

  protected renderSignedOut(): void {
    this.#teardown();
    this.#notice('Sign in to join your class.');
  }

  protected connected(signal: AbortSignal): void {
    this.#teardown();
    this.#signal = signal;
    signal.addEventListener('abort', () => this.#teardown(), { once: true });
    const id = this.sessionId;
    if (id === null) {
      this.#notice('No class selected (the session-id attribute is missing).');
      return;
    }
    this.#view = 'loading';
    render(this.shadowRoot!, h('p', { class: 'p-4 text-sm text-ink-muted', role: 'status' }, 'Loading your class…'));
    this.#load(id, signal).catch((error: unknown) => {
      const detail = this.reportError(error, signal);
      if (!detail) return;
      if (detail.status === 404) this.#notice('This class does not exist, or you are not allowed to see it.');
      else if (detail.status === 401) this.#notice('Your session has expired. Please sign in again.');
      else this.#notice(detail.message);
    });
  }

  // ------------------------------------------------------------------ loading and lifecycle

  async #load(id: number, signal: AbortSignal): Promise<void> {
    const [profile, session] = await Promise.all([
      unwrap(this.api.GET('/api/profile/')),
      unwrap(this.api.GET('/api/sessions/{id}/', { params: { path: { id } } })),
    ]);
    const booking = session.my_booking ? await unwrap(this.api.GET('/api/bookings/{id}/', { params: { path: { id: session.my_booking } } })) : null;
    if (signal.aborted) return;
    this.#profile = profile;
    this.#session = session;
    this.#booking = booking;
    this.#names.set(session.mentor, fullName(session.mentor_summary));
    if (!this.#isMentor && !booking) {
      this.#notice('You are not booked on this class. Book a seat to join it.');
      return;
    }
    this.#realtime = new RealtimeClient({
      url: this.wsUrl,
      credential: () => this.credential(),
      signal,
      onMessage: (message) => this.#onMessage(message),
      onStateChange: (state) => this.#onSocketState(state),
      onConnected: ({ reconnected }) => {
        if (reconnected) void this.#refreshSession();
      },
      onRejected: () => emit(this, 'md-unauthorized', { message: 'This account can no longer sign in.' }),
    });
    this.#realtime.subscribe(`session_${id}`);
    this.#showForStatus();
  }

  /** Stops everything of the current connection: tracks, peer connections, views. */
  #teardown(): void {
    this.#call?.destroy();
    this.#media?.stop();
    this.#call = this.#media = this.#chat = this.#callUi = this.#lobbyUi = this.#realtime = null;
    this.#signal = null;
    this.#profile = this.#session = this.#booking = null;
    this.#names.clear();
    this.#returning.clear();
    this.#socketDown = this.#inCall = this.#inRoom = this.#busy = false;
    this.#roomJoins = 0;
    this.#lobbyMessage = null;
  }

  get #isMentor(): boolean {
    return Boolean(this.#session && this.#profile && this.#session.mentor === this.#profile.id);
  }

  get #roomChannel(): string {
    return `room_${this.#session!.id}`;
  }

  /** Lobby, end of class or a notice, from the session's status. */
  #showForStatus(): void {
    const session = this.#session!;
    if (session.status === 'completed') this.#showEnded();
    else if (session.status === 'cancelled') this.#notice('This class was cancelled.');
    else if (session.status === 'draft') this.#notice('This class is not published yet.');
    else if (this.#view !== 'call') this.#showLobby();
    else this.#renderCallHeader();
  }

  /** After a reconnect: what changed while no push could arrive. */
  async #refreshSession(): Promise<void> {
    const signal = this.#signal;
    const session = this.#session;
    if (!signal || !session) return;
    try {
      const fresh = await unwrap(this.api.GET('/api/sessions/{id}/', { params: { path: { id: session.id } } }));
      if (!signal.aborted) this.#applySession(fresh);
    } catch (error) {
      this.reportError(error, signal);
    }
  }

  /** A newer copy of the session (REST, or a push whose `my_booking` is always null). */
  #applySession(session: Session): void {
    if (!this.#session) return;
    this.#session = { ...session, my_booking: this.#session.my_booking };
    if (this.#view === 'lobby' || this.#view === 'call') this.#showForStatus();
  }

  // ------------------------------------------------------------------ socket

  #onSocketState(state: ConnectionState): void {
    this.#socketDown = state === 'reconnecting';
    if (this.#socketDown) {
      // Subscriptions do not survive a socket: the room is rejoined (as a new peer) on reconnect.
      this.#inRoom = false;
      this.#chat?.setEnabled(false, 'Reconnecting…');
    }
    this.#renderBanner();
    emit(this, 'md-connection-change', { state });
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'session_update':
        if (message.session.id === this.#session?.id) this.#applySession(message.session);
        return;
      case 'participant_count':
        if (this.#session && message.session === this.#session.id) {
          this.#session = { ...this.#session, participant_count: message.participant_count, spots_left: message.spots_left };
          this.#renderReadiness();
        }
        return;
      case 'room_state':
        if (message.channel === this.#roomChannel) this.#onRoomState(message);
        return;
      case 'presence':
        if (message.channel === this.#roomChannel) this.#onPresence(message);
        return;
      case 'signal':
        if (message.channel === this.#roomChannel) this.#call?.receive(message.from.peer, message.data);
        return;
      case 'chat':
        if (message.channel === this.#roomChannel) this.#addChat([message.message]);
        return;
      case 'ack':
        this.#chat?.acknowledged(message.ref);
        return;
      case 'unsubscribed':
        if (message.channel === this.#roomChannel) this.#onRoomClosed(message.reason);
        return;
      case 'error':
        this.#onError(message);
        return;
      default:
        return;
    }
  }

  #onError(message: Message<'error'>): void {
    if (message.ref?.startsWith('chat-')) {
      this.#chat?.refused(message.ref, message.message);
      return;
    }
    if (this.#session && this.#inCall && message.channel === this.#roomChannel && JOIN_REFUSALS.has(message.code)) {
      // The room refused us (no longer booked, session over, …): back to the lobby, saying why.
      this.#leaveCall({ text: message.message, error: true });
      void this.#refreshSession();
    }
  }

  #onRoomClosed(reason: Message<'unsubscribed'>['reason']): void {
    if (reason === 'presence_lost') {
      // The realtime client subscribes again at once; the next room_state rebuilds the calls.
      this.#inRoom = false;
      this.#chat?.setEnabled(false, 'Reconnecting…');
      this.#renderBanner();
      return;
    }
    if (reason === 'session_ended') {
      void this.#refreshSession();
      this.#showEnded();
    } else if (reason === 'booking_cancelled') {
      this.#notice('Your booking for this class was cancelled.');
    }
  }

  // ------------------------------------------------------------------ room

  #onRoomState(message: Message<'room_state'>): void {
    const call = this.#call;
    if (!this.#inCall || !call) return;
    const rejoin = this.#roomJoins++ > 0;
    this.#inRoom = true;
    // We are a new peer: every earlier connection is stale (the others dropped theirs on `leave`).
    call.clear();
    for (const member of message.members) call.add(member, member.initiator, rejoin);
    this.#addChat(message.history);
    this.#chat?.setEnabled(true);
    if (rejoin) void this.#catchUpChat();
    this.#renderBanner();
  }

  #onPresence(message: Message<'presence'>): void {
    const call = this.#call;
    if (!this.#inRoom || !call) return;
    const { member } = message;
    if (message.event === 'join') {
      call.add(member, message.initiator ?? false, this.#returning.delete(member.user));
    } else {
      call.remove(member.peer);
      this.#returning.add(member.user);
    }
  }

  /** Chat written while this socket was away (beyond the 50 messages of `room_state`). */
  async #catchUpChat(): Promise<void> {
    const signal = this.#signal;
    const chat = this.#chat;
    if (!signal || !chat || !this.#session) return;
    const id = this.#session.id;
    try {
      // Ascending after the newest message shown, 100 at a time, until nothing is left.
      for (;;) {
        const page = await unwrap(this.api.GET('/api/sessions/{id}/chat/', { params: { path: { id }, query: { after: chat.lastId, page_size: 100 } } }));
        if (signal.aborted || this.#chat !== chat) return;
        this.#addChat(page.results);
        if (!page.next || page.results.length === 0) return;
      }
    } catch (error) {
      this.reportError(error, signal);
    }
  }

  #addChat(messages: readonly Schema<'ChatMessage'>[]): void {
    for (const m of messages) this.#names.set(m.sender, fullName(m.sender_summary));
    this.#chat?.add(messages);
    this.#renderTiles();
  }

  #sendChat(body: string): string | null {
    if (!this.#inRoom || !this.#realtime) return null;
    const id = `chat-${++this.#chatSeq}`;
    return this.#realtime.send({ type: 'chat', channel: this.#roomChannel, body, id }) ? id : null;
  }

  // ------------------------------------------------------------------ lobby

  #showLobby(): void {
    if (this.#view !== 'lobby') {
      this.#view = 'lobby';
      this.#renderLobby();
      void this.#startMedia();
      emit(this, 'md-room-change', { view: 'lobby' });
    }
    this.#renderReadiness();
  }

  #renderLobby(): void {
    const preview = new VideoTile(true);
    preview.root.setAttribute('part', 'tile preview');
    this.#lobbyUi = {
      banner: this.#bannerElement(),
      preview,
      devices: h('div', { class: 'grid gap-3 @lg:grid-cols-2' }),
      readiness: h('div', { part: 'readiness', class: 'flex flex-col gap-3' }),
    };
    const ui = this.#lobbyUi;
    render(
      this.shadowRoot!,
      h(
        'div',
        { part: 'base', class: '@container flex flex-col gap-4 p-4 min-w-0', 'data-view': 'lobby' },
        this.#header(),
        ui.banner,
        h(
          'div',
          { class: 'grid gap-4 @3xl:grid-cols-2 items-start' },
          h('div', { class: 'flex flex-col gap-3 min-w-0' }, ui.preview.root, ui.devices),
          ui.readiness,
        ),
      ),
    );
    this.#renderBanner();
    this.#renderLocal();
  }

  async #startMedia(): Promise<void> {
    if (this.#media) {
      void this.#renderDevices(null);
      return;
    }
    const media = new LocalMedia(() => this.#onMediaChange());
    this.#media = media;
    const problem = await media.start();
    if (this.#media !== media) return;
    // A failure adopts no track, so nothing else redraws the tile that said "Starting camera…".
    this.#renderLocal();
    void this.#renderDevices(problem);
  }

  #onMediaChange(): void {
    this.#call?.syncTracks();
    this.#renderLocal();
    this.#renderControls();
  }

  async #renderDevices(problem: string | null): Promise<void> {
    const media = this.#media;
    const ui = this.#lobbyUi;
    if (!media || !ui) return;
    const { cameras, microphones } = await media.devices().catch(() => ({ cameras: [], microphones: [] }));
    if (this.#lobbyUi !== ui) return;
    const select = (kind: 'camera' | 'microphone', label: string, devices: MediaDeviceInfo[]) => {
      const id = uid(`md-${kind}`);
      return h(
        'div',
        { class: 'flex flex-col gap-1 min-w-0' },
        h('label', { for: id, class: 'text-sm font-medium' }, label),
        h(
          'select',
          {
            id,
            class: 'field-input',
            'data-device': kind,
            disabled: devices.length === 0,
            value: media.deviceId(kind),
            onchange: async (event: Event) => {
              const target = event.currentTarget as HTMLSelectElement;
              const failure = await media.use(kind, target.value);
              this.#showLobbyMessage(failure ? { text: failure, error: true } : null);
            },
          },
          devices.length
            ? devices.map((d, i) => h('option', { value: d.deviceId }, d.label || `${label} ${i + 1}`))
            : h('option', { value: '' }, `No ${kind} found`),
        ),
      );
    };
    render(ui.devices, select('camera', 'Camera', cameras), select('microphone', 'Microphone', microphones));
    if (problem) this.#showLobbyMessage({ text: problem, error: true });
  }

  #showLobbyMessage(message: { text: string; error: boolean } | null): void {
    this.#lobbyMessage = message;
    this.#renderReadiness();
  }

  #renderReadiness(): void {
    const ui = this.#lobbyUi;
    const session = this.#session;
    if (this.#view !== 'lobby' || !ui || !session) return;
    const level = Math.min(6, this.headingLevel + 1);
    const mentorName = this.#names.get(session.mentor) ?? 'The mentor';
    const state = (ready: boolean) =>
      ready ? h('span', { class: 'font-semibold text-success' }, 'Ready') : h('span', { class: 'text-ink-muted' }, 'Not ready yet');
    const rows: Array<[string, Child]> = this.#isMentor
      ? [
          ['You', state(session.mentor_ready)],
          ['Learners ready', h('span', { 'data-ready-learners': session.ready_learner_count }, `${session.ready_learner_count} of ${session.participant_count}`)],
        ]
      : [
          [`${mentorName} (mentor)`, state(session.mentor_ready)],
          ['You', state(Boolean(this.#booking?.learner_ready_at))],
        ];
    const actions: Child[] = [];
    // Too early: the button waits, disabled, saying when it opens in the viewer's time zone.
    const early = session.status === 'scheduled' && Date.now() < Date.parse(session.ready_opens_at);
    clearTimeout(this.#opensTimer);
    if (early) {
      const signal = this.#signal;
      const wait = Math.min(60_000, Date.parse(session.ready_opens_at) - Date.now());
      this.#opensTimer = setTimeout(() => signal && !signal.aborted && this.#renderReadiness(), wait);
    }
    const readyButton = (label: string, onclick: () => void) => {
      const button = this.#button(label, 'btn-primary', 'ready', onclick);
      if (!early) return button;
      button.disabled = true;
      button.setAttribute('aria-describedby', 'md-room-opens');
      return [button, h('span', { id: 'md-room-opens', class: 'self-center text-sm text-ink-muted', 'data-opens': session.ready_opens_at }, opensAt(session.ready_opens_at))];
    };
    if (this.#isMentor && !session.mentor_ready && session.status === 'scheduled') {
      actions.push(readyButton("I'm Ready", () => this.#act(() => this.#markMentorReady())));
    }
    if (!this.#isMentor && !this.#booking?.learner_ready_at) {
      actions.push(readyButton("Confirm I'm ready", () => this.#act(() => this.#markLearnerReady())));
    }
    if (session.can_start) {
      const label = session.status === 'in_progress' ? 'Join class' : 'Start Class';
      actions.push(this.#button(label, 'btn-primary', 'start', () => this.#act(() => this.#start())));
    }
    const message = this.#lobbyMessage;
    this.#rerender(
      ui.readiness,
      h(`h${level}` as 'h3', { class: 'text-base font-semibold' }, 'Who is ready'),
      h(
        'dl',
        { class: 'card divide-y divide-line' },
        rows.map(([who, what]) => h('div', { class: 'flex items-center justify-between gap-3 px-3 py-2 text-sm' }, h('dt', null, who), h('dd', null, what))),
      ),
      !session.can_start &&
        h('p', { class: 'text-sm text-ink-muted' }, 'Start Class appears once the mentor and at least one learner are ready.'),
      actions.length > 0 && h('div', { class: 'flex flex-wrap gap-2' }, actions),
      h('p', { class: `text-sm ${message?.error ? 'text-danger' : 'text-ink-muted'}`, role: message?.error ? 'alert' : 'status' }, message?.text ?? ''),
    );
  }

  #button(label: string, style: string, action: string, onclick: () => void, icon?: SVGSVGElement): HTMLButtonElement {
    return h('button', { type: 'button', class: `btn ${style}`, 'data-action': action, disabled: this.#busy, onclick }, icon, label);
  }

  /** Runs a lobby or call action, one at a time; a refusal is shown in place. */
  async #act(action: () => Promise<void>): Promise<void> {
    const signal = this.#signal;
    if (this.#busy || !signal) return;
    // The pressed button is disabled while the action runs (and so loses the focus): restore it.
    const pressed = this.shadowRoot!.activeElement?.getAttribute('data-action');
    this.#busy = true;
    this.#lobbyMessage = null;
    this.#renderReadiness();
    this.#renderControls();
    try {
      await action();
    } catch (error) {
      const detail = this.reportError(error, signal);
      if (detail && this.#view === 'call' && this.#callUi) this.#callUi.error.textContent = detail.message;
      else if (detail) this.#lobbyMessage = { text: detail.message, error: true };
    } finally {
      this.#busy = false;
      this.#renderReadiness();
      this.#renderControls();
      if (pressed) this.#keepFocus(`[data-action="${pressed}"]`);
    }
  }

  async #markMentorReady(): Promise<void> {
    const id = this.#session!.id;
    this.#applySession(await unwrap(this.api.POST('/api/sessions/{id}/ready/', { params: { path: { id } } })));
  }

  async #markLearnerReady(): Promise<void> {
    const id = this.#booking!.id;
    this.#booking = await unwrap(this.api.POST('/api/bookings/{id}/ready/', { params: { path: { id } } }));
  }

  /** "Start Class" / "Join class": both sides call /start/ (the second gets the in-progress session). */
  async #start(): Promise<void> {
    const signal = this.#signal!;
    const id = this.#session!.id;
    const session = await unwrap(this.api.POST('/api/sessions/{id}/start/', { params: { path: { id } } }));
    const iceServers = this.iceServers ?? ((await unwrap(this.api.GET('/api/rtc/config/'))).iceServers as RTCIceServer[]);
    // Names only label the video feeds: joining does not wait on them succeeding.
    if (this.#isMentor) await this.#loadLearnerNames().catch((error: unknown) => this.reportError(error, signal));
    if (signal.aborted || this.#view !== 'lobby') return;
    this.#session = { ...session, my_booking: this.#session!.my_booking };
    this.#enterCall(iceServers);
  }

  /** The mentor's learners, to name their video feeds. */
  async #loadLearnerNames(): Promise<void> {
    const page = await unwrap(this.api.GET('/api/bookings/', { params: { query: { session: this.#session!.id, page_size: 100 } } }));
    for (const booking of page.results) this.#names.set(booking.learner, fullName(booking.learner_summary));
  }

  // ------------------------------------------------------------------ call

  #enterCall(iceServers: RTCIceServer[]): void {
    const media = this.#media ?? new LocalMedia(() => this.#onMediaChange());
    this.#media = media;
    this.#view = 'call';
    this.#inCall = true;
    this.#inRoom = false;
    this.#roomJoins = 0;
    this.#returning.clear();
    this.#lobbyUi = null;
    this.#call = new Call({
      channel: this.#roomChannel,
      iceServers,
      media,
      send: (message) => this.#realtime?.send(message) ?? false,
      onChange: () => {
        this.#renderTiles();
        this.#renderBanner();
      },
    });
    this.#chat = new ChatPanel({ me: this.#profile!.id, headingLevel: this.headingLevel + 1, send: (body) => this.#sendChat(body) });
    this.#chat.setEnabled(false, 'Joining…');
    this.#renderCall();
    this.#keepFocus('[data-action="mute"]');
    this.#realtime!.subscribe(this.#roomChannel);
    emit(this, 'md-room-change', { view: 'call' });
  }

  /** Leaves the call (the lobby shows again, with `message`). */
  #leaveCall(message: { text: string; error: boolean } | null): void {
    if (!this.#inCall) return;
    this.#realtime?.unsubscribe(this.#roomChannel);
    this.#closeCall();
    this.#lobbyMessage = message;
    this.#showLobby();
    this.#keepFocus('[data-action="start"]');
  }

  /**
   * The view was replaced under the keyboard focus (the button the user pressed is gone): move it
   * to the control that continues the task, instead of letting it fall back to the page.
   */
  #keepFocus(selector: string): void {
    const root = this.shadowRoot!;
    if (root.activeElement && root.activeElement.isConnected) return;
    if (document.activeElement !== this && document.activeElement !== document.body) return;
    root.querySelector<HTMLElement>(selector)?.focus();
  }

  #closeCall(): void {
    this.#inCall = this.#inRoom = false;
    this.#media?.stopSharing();
    this.#call?.destroy();
    this.#call = null;
    this.#chat = null;
    this.#callUi = null;
  }

  #renderCall(): void {
    const local = new VideoTile(true);
    this.#callUi = {
      banner: this.#bannerElement(),
      tiles: h('div', { part: 'videos', class: 'grid gap-3 grid-cols-1 @xl:grid-cols-2' }, local.root),
      local,
      remotes: new Map(),
      controls: h('div', { part: 'controls', role: 'group', 'aria-label': 'Call controls', class: 'flex flex-wrap items-center gap-2' }),
      confirmEnd: false,
      error: h('p', { class: 'text-sm text-danger', role: 'alert' }),
    };
    const ui = this.#callUi;
    render(
      this.shadowRoot!,
      h(
        'div',
        { part: 'base', class: '@container flex flex-col gap-4 p-4 min-w-0', 'data-view': 'call' },
        this.#header(),
        ui.banner,
        h(
          'div',
          { class: 'grid gap-4 @4xl:grid-cols-[minmax(0,1fr)_20rem] items-stretch' },
          h('section', { class: 'flex flex-col gap-3 min-w-0', 'aria-label': 'Video' }, ui.tiles, ui.controls, ui.error),
          this.#chat!.root,
        ),
      ),
    );
    this.#renderBanner();
    this.#renderTiles();
    this.#renderControls();
  }

  #renderCallHeader(): void {
    const header = this.shadowRoot?.querySelector('[part="header"]');
    header?.replaceWith(this.#header());
  }

  #renderTiles(): void {
    const ui = this.#callUi;
    const call = this.#call;
    if (!ui || !call) return;
    this.#renderLocal();
    const remotes = call.remotes;
    for (const [peer, tile] of ui.remotes) {
      if (remotes.some((r) => r.member.peer === peer)) continue;
      tile.root.remove();
      ui.remotes.delete(peer);
    }
    for (const remote of remotes) {
      let tile = ui.remotes.get(remote.member.peer);
      if (!tile) {
        tile = new VideoTile(false);
        ui.remotes.set(remote.member.peer, tile);
        ui.tiles.append(tile.root);
      }
      tile.root.dataset.peer = remote.member.peer;
      tile.root.dataset.role = remote.member.role;
      tile.root.dataset.status = remote.status;
      tile.show({
        name: this.#remoteName(remote),
        stream: remote.stream,
        overlay: remoteOverlay(remote),
        muted: remote.media ? !remote.media.audio : false,
        sharing: remote.media?.screen ?? false,
      });
    }
  }

  #remoteName(remote: RemoteView): string {
    const name = this.#names.get(remote.member.user);
    const role = remote.member.role === 'mentor' ? 'Mentor' : 'Learner';
    return name ? `${name} (${role.toLowerCase()})` : role;
  }

  /** Our own feed, in the lobby preview or the call. */
  #renderLocal(): void {
    const tile = this.#callUi?.local ?? this.#lobbyUi?.preview;
    const media = this.#media;
    if (!tile) return;
    const track = media?.videoTrack ?? null;
    const current = tile.video.srcObject instanceof MediaStream ? tile.video.srcObject.getVideoTracks()[0] : undefined;
    const stream = track && current === track ? (tile.video.srcObject as MediaStream) : track ? new MediaStream([track]) : null;
    let overlay: string | null = null;
    if (!media || media.starting) overlay = 'Starting camera…';
    else if (!media.hasCamera && !media.sharing) overlay = 'No camera';
    else if (!media.videoEnabled && !media.sharing) overlay = 'Camera off';
    tile.show({ name: 'You', stream, overlay, muted: media ? !media.audioEnabled || !media.hasMicrophone : false, sharing: media?.sharing ?? false });
  }

  #renderControls(): void {
    const ui = this.#callUi;
    const media = this.#media;
    if (!ui || !media) return;
    const controls: Child[] = [
      this.#toggle(media.audioEnabled ? 'Mute' : 'Unmute', 'mute', media.audioEnabled ? micIcon() : micOffIcon(), !media.hasMicrophone, () =>
        media.setAudioEnabled(!media.audioEnabled),
      ),
      this.#toggle(media.videoEnabled ? 'Camera off' : 'Camera on', 'camera', media.videoEnabled ? cameraIcon() : cameraOffIcon(), !media.hasCamera, () =>
        media.setVideoEnabled(!media.videoEnabled),
      ),
      media.canShareScreen &&
        this.#toggle(media.sharing ? 'Stop sharing' : 'Share screen', 'share', screenIcon(), false, () => {
          if (media.sharing) media.stopSharing();
          else void media.shareScreen().then((failure) => failure && this.#callUi && (this.#callUi.error.textContent = failure));
        }),
      this.#button('Leave', 'btn-danger', 'leave', () => this.#leaveCall({ text: 'You left the class. Join again whenever you like.', error: false }), leaveIcon()),
    ];
    if (this.#isMentor) {
      controls.push(
        ui.confirmEnd
          ? h(
              'span',
              { class: 'inline-flex flex-wrap items-center gap-2', role: 'group', 'aria-label': 'End the class for everyone?' },
              h('span', { class: 'text-sm font-medium' }, 'End the class for everyone?'),
              this.#button('End class now', 'btn-danger', 'confirm-end', () => this.#act(() => this.#endClass())),
              this.#button('Keep teaching', 'btn-secondary', 'cancel-end', () => this.#confirmEnd(false)),
            )
          : this.#button('End class', 'btn-danger', 'end', () => this.#confirmEnd(true), endIcon()),
      );
    }
    this.#rerender(ui.controls, controls);
  }

  /**
   * Replaces a block of buttons; the one that had the keyboard focus (by `data-action`) gets it
   * back, so pressing Mute or a lobby button does not throw the focus out of the widget.
   */
  #rerender(container: HTMLElement, ...children: Child[]): void {
    const focused = this.shadowRoot!.activeElement;
    const action = focused && container.contains(focused) ? focused.getAttribute('data-action') : null;
    render(container, ...children);
    if (action) container.querySelector<HTMLElement>(`[data-action="${action}"]`)?.focus();
  }

  #toggle(label: string, action: string, icon: SVGSVGElement, disabled: boolean, onclick: () => void): HTMLButtonElement {
    return h('button', { type: 'button', class: 'btn btn-secondary', 'data-action': action, disabled, onclick }, icon, label);
  }

  #confirmEnd(open: boolean): void {
    if (!this.#callUi) return;
    this.#callUi.confirmEnd = open;
    this.#renderControls();
    this.#callUi.controls.querySelector<HTMLButtonElement>(open ? '[data-action="confirm-end"]' : '[data-action="end"]')?.focus();
  }

  /** The mentor ends the class for everyone (`/complete/`); the room then closes for all. */
  async #endClass(): Promise<void> {
    const id = this.#session!.id;
    this.#applySession(await unwrap(this.api.POST('/api/sessions/{id}/complete/', { params: { path: { id } } })));
  }

  // ------------------------------------------------------------------ banner, header, notices

  #bannerElement(): HTMLElement {
    return h('div', {
      part: 'banner',
      role: 'status',
      class: 'rounded-widget border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900',
      hidden: true,
    });
  }

  #renderBanner(): void {
    const banner = this.#callUi?.banner ?? this.#lobbyUi?.banner;
    if (!banner) return;
    let text: string | null = null;
    if (this.#socketDown) text = this.#inCall ? 'Reconnecting… The call and chat resume by themselves.' : 'Reconnecting… Live updates are paused.';
    else if (this.#inCall && !this.#inRoom && this.#roomJoins > 0) text = 'Reconnecting… Rejoining the class.';
    else if (this.#call?.recovering) text = 'Reconnecting… The video connection dropped and is being restored.';
    banner.hidden = text === null;
    banner.textContent = text ?? '';
  }

  #header(): HTMLElement {
    const session = this.#session!;
    const level = this.headingLevel;
    // The end may be known (the room closed) before the session's new status has been read.
    const [label, style] =
      this.#view === 'ended' || session.status === 'completed'
        ? ['Ended', 'bg-slate-100 text-slate-800']
        : session.status === 'in_progress'
          ? ['Live', 'bg-green-100 text-green-900']
          : ['Not started', 'bg-blue-100 text-blue-900'];
    return h(
      'header',
      { part: 'header', class: 'flex flex-wrap items-baseline justify-between gap-2' },
      h(
        'div',
        { class: 'min-w-0' },
        h(`h${level}` as 'h2', { class: 'text-xl font-bold break-words' }, session.title),
        h(
          'p',
          { class: 'text-sm text-ink-muted' },
          h('time', { datetime: session.start_time }, formatDateTime(session.start_time)),
          ` · ${session.duration} min · with ${this.#names.get(session.mentor) ?? 'your mentor'}`,
        ),
      ),
      h('span', { class: `rounded-full px-2 py-0.5 text-xs font-semibold ${style}`, 'data-status': session.status }, label),
    );
  }

  #notice(text: string): void {
    this.#closeCall();
    this.#lobbyUi = null;
    this.#media?.stop();
    this.#media = null;
    this.#view = 'notice';
    render(this.shadowRoot!, h('p', { part: 'message', class: 'm-4 card p-4 text-sm', role: 'status' }, text));
  }

  // ------------------------------------------------------------------ end of class

  #showEnded(): void {
    if (this.#view === 'ended' || !this.#session) return;
    if (this.#inCall) this.#realtime?.unsubscribe(this.#roomChannel);
    this.#closeCall();
    this.#lobbyUi = null;
    this.#media?.stop();
    this.#media = null;
    this.#view = 'ended';
    const content = h('div', { class: 'flex flex-col gap-3' }, h('p', { role: 'status', class: 'text-sm' }, 'This class has ended.'));
    render(
      this.shadowRoot!,
      h('div', { part: 'base', class: '@container flex flex-col gap-4 p-4 min-w-0', 'data-view': 'ended' }, this.#header(), content),
    );
    if (this.#isMentor) {
      content.append(
        this.#button('Back to the dashboard', 'btn-secondary self-start', 'dashboard', () => {
          const href = `/dashboard#sessions/${this.#session?.id ?? ''}`;
          if (emit(this, 'md-navigate', { href }, { cancelable: true })) window.location.assign(this.resolveUrl(href));
        }),
      );
    } else {
      void this.#showFeedback(content);
    }
    emit(this, 'md-room-change', { view: 'ended' });
  }

  async #showFeedback(container: HTMLElement): Promise<void> {
    const signal = this.#signal;
    const id = this.#session?.id;
    if (!signal || !id) return;
    let existing: Feedback | null = null;
    try {
      existing = (await unwrap(this.api.GET('/api/sessions/{id}/feedback/', { params: { path: { id } } }))).results[0] ?? null;
    } catch (error) {
      this.reportError(error, signal);
    }
    if (signal.aborted || this.#view !== 'ended') return;
    container.append(
      feedbackSection({
        headingLevel: this.headingLevel + 1,
        existing,
        submit: (rating, comment) => unwrap(this.api.POST('/api/sessions/{id}/feedback/', { params: { path: { id } }, body: { rating, comment } })),
        describe: (error) => this.reportError(error, signal)?.message ?? null,
      }),
    );
  }
}

function remoteOverlay(remote: RemoteView): string | null {
  if (!remote.stream) return remote.status === 'reconnecting' ? 'Reconnecting…' : 'Connecting…';
  if (remote.media && !remote.media.video) return 'Camera off';
  return null;
}

import { unwrap, type Schema } from '../shared/api.ts';
import { h, render, type Child } from '../shared/dom.ts';
import { emit, type RoomChangeDetail } from '../shared/events.ts';
import { fullName } from '../shared/format.ts';
import { RealtimeClient, type ConnectionState, type ServerMessage } from '../shared/realtime.ts';
import { CallPhase } from './call-phase.ts';
import { endedView } from './ended-view.ts';
import { LobbyPhase } from './lobby-phase.ts';
import { LocalMedia } from './media.ts';
import { RoomAttributes } from './room-attributes.ts';
import { fetchClass, keepFocus, navLink, roomChannel, roomHeader, setBanner, type ButtonFactory, type LobbyMessage, type PhaseHost, type Room } from './room-view.ts';

/** What the element shows. */
export type RoomView = 'loading' | 'notice' | RoomChangeDetail['view'];

/**
 * The element's one state. `room` is the loaded class; `media` (camera and microphone) passes from
 * the lobby to the call and back, and is stopped when neither is shown (see `#enter`).
 */
type Phase =
  | { kind: 'loading' }
  | { kind: 'notice'; room: Room | null }
  | LobbyPhase
  | CallPhase
  | { kind: 'ended'; room: Room };

/**
 * A live class: a lobby with a camera and microphone preview, device choice and the readiness of
 * both sides ("I'm Ready" for the mentor, a confirmation for learners, "Start Class" once both
 * are); then the call — a video feed per participant over WebRTC (simple-peer, signalled through
 * the room's `/ws` channel) with its connection quality, mute, camera off, screen sharing, leave,
 * the chat, "Reconnecting…" while the socket or a connection recovers, "Your connection is poor"
 * when what we send degrades; at the end, a feedback prompt for learners.
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
 * @event md-navigate - "Back to the dashboard" after a class, or "Book a seat" (the mentor's
 *   `/mentors/{id}` booking page) for a learner not booked (`detail.href`). Cancelable: without
 *   `preventDefault()` the page navigates to it on `api-base`.
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
 * @csspart quality - A remote feed's connection badge (good / fair / poor), a button: its figures show on hover and focus.
 * @csspart quality-details - The badge's tooltip: round trip, packet loss, frames per second, bitrate (from getStats()).
 * @csspart poor-connection - The "Your connection is poor" banner (what we send arrives late or lossy).
 * @csspart controls - Mute, camera, share screen, leave, end class.
 * @csspart chat - The chat panel.
 * @csspart chat-message - One chat message.
 * @csspart feedback - The learner's feedback form after the class.
 * @csspart message - A notice (signed out, no such class, not booked with a link to book, cancelled).
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
export class SessionRoom extends RoomAttributes {
  static define(tag = 'session-room', registry: CustomElementRegistry = customElements): typeof SessionRoom {
    if (!registry.get(tag)) registry.define(tag, this);
    return this;
  }

  #phase: Phase = { kind: 'loading' };

  get view(): RoomView {
    return this.#phase.kind;
  }

  protected renderSignedOut(): void {
    this.#enter({ kind: 'loading' });
    this.#notice('Sign in to join your class.');
  }

  protected connected(signal: AbortSignal): void {
    this.#enter({ kind: 'loading' });
    signal.addEventListener('abort', () => this.#enter({ kind: 'loading' }), { once: true });
    const id = this.sessionId;
    if (id === null) return this.#notice('No class selected (the session-id attribute is missing).');
    render(this.shadowRoot!, h('p', { class: 'p-4 text-sm text-ink-muted', role: 'status' }, 'Loading your class…'));
    this.#load(id, signal).catch((error: unknown) => {
      const detail = this.reportError(error, signal);
      if (detail?.status === 404) this.#notice('This class does not exist, or you are not allowed to see it.');
      else if (detail) this.#notice(detail.status === 401 ? 'Your session has expired. Please sign in again.' : detail.message);
    });
  }

  // ------------------------------------------------------------------ phases

  async #load(id: number, signal: AbortSignal): Promise<void> {
    const { profile, session, booking } = await fetchClass(this.api, id);
    if (signal.aborted) return;
    const isMentor = session.mentor === profile.id;
    const book = `/mentors/${session.mentor}`;
    if (!isMentor && !booking) return this.#notice(['You are not booked on this class. ', navLink(this, book, this.resolveUrl(book), 'Book a seat'), ' to join it.']);
    const realtime = new RealtimeClient({
      url: this.wsUrl,
      credential: () => this.credential(),
      signal,
      onMessage: (message) => this.#onMessage(message),
      onStateChange: (state) => this.#onSocketState(state),
      onConnected: ({ reconnected }) => reconnected && void this.#refreshSession(),
      onRejected: () => emit(this, 'md-unauthorized', { message: 'This account can no longer sign in.' }),
    });
    const names = new Map([[session.mentor, fullName(session.mentor_summary)]]);
    const room: Room = { signal, profile, session, booking, realtime, names, isMentor, socketDown: false, busy: false };
    realtime.subscribe(`session_${id}`);
    this.#showForStatus(room);
  }

  /** The one teardown path: stops what the old phase had and the new one does not keep. */
  #enter(next: Phase): void {
    const prev = this.#phase;
    this.#phase = next;
    if (prev.kind === 'lobby' || prev.kind === 'call') prev.dispose();
    if ((prev.kind === 'lobby' || prev.kind === 'call') && !('media' in next && next.media === prev.media)) prev.media.stop();
  }

  /** What both the lobby and the call need from the element. */
  #host(room: Room): PhaseHost {
    return {
      api: this.api,
      headingLevel: this.headingLevel,
      button: this.#button,
      current: (phase) => this.#phase === phase,
      act: (action) => void this.#act(action),
      applySession: (session) => this.#applySession(session),
      renderBanner: () => this.#renderBanner(),
      reportError: (error) => this.reportError(error, room.signal)?.message ?? null,
    };
  }

  get #room(): Room | null {
    return 'room' in this.#phase ? this.#phase.room : null;
  }

  /** Lobby, end of class or a notice, from the session's status. */
  #showForStatus(room: Room): void {
    const { status } = room.session;
    if (status === 'completed') this.#showEnded(room);
    else if (status === 'cancelled') this.#notice('This class was cancelled.', room);
    else if (status === 'draft') this.#notice('This class is not published yet.', room);
    else if (this.#phase.kind !== 'call') this.#showLobby(room, null);
    else this.#phase.ui.root.querySelector('[part="header"]')?.replaceWith(roomHeader(room, this.headingLevel, false));
  }

  #notice(text: Child, room: Room | null = null): void {
    this.#enter({ kind: 'notice', room });
    render(this.shadowRoot!, h('p', { part: 'message', class: 'm-4 card p-4 text-sm', role: 'status' }, text));
  }

  /** Shows the lobby (`media`: the call's, kept) or, if it is shown, its readiness afresh. */
  #showLobby(room: Room, message: LobbyMessage | null, media?: LocalMedia): void {
    if (this.#phase.kind === 'lobby') return this.#phase.renderReadiness();
    const starting = media ? null : (media = new LocalMedia(() => this.#onMediaChange())).start();
    const phase = new LobbyPhase(room, media!, message, {
      ...this.#host(room),
      iceServers: () => this.iceServers,
      renderLocal: () => (this.#phase.kind === 'call' || this.#phase.kind === 'lobby') && this.#phase.renderLocal(),
      enterCall: (iceServers) => this.#enterCall(room, media!, iceServers),
    });
    this.#enter(phase);
    render(this.shadowRoot!, phase.ui.root);
    this.#renderBanner();
    phase.renderLocal();
    void phase.showMedia(starting);
    emit(this, 'md-room-change', { view: 'lobby' });
    phase.renderReadiness();
  }

  #enterCall(room: Room, media: LocalMedia, iceServers: RTCIceServer[]): void {
    const phase = new CallPhase(room, media, iceServers, {
      ...this.#host(room),
      leave: () => this.#leaveCall({ text: 'You left the class. Join again whenever you like.', error: false }),
    });
    this.#enter(phase);
    render(this.shadowRoot!, phase.ui.root);
    this.#renderBanner();
    phase.renderTiles();
    phase.renderControls();
    keepFocus(this, '[data-action="mute"]');
    room.realtime.subscribe(roomChannel(room));
    emit(this, 'md-room-change', { view: 'call' });
  }

  /** Leaves the call (the lobby shows again, with `message`). */
  #leaveCall(message: LobbyMessage): void {
    const phase = this.#phase;
    if (phase.kind !== 'call') return;
    phase.room.realtime.unsubscribe(roomChannel(phase.room));
    this.#showLobby(phase.room, message, phase.media);
    keepFocus(this, '[data-action="start"]');
  }

  #showEnded(room: Room): void {
    const phase = this.#phase;
    if (phase.kind === 'ended') return;
    if (phase.kind === 'call') room.realtime.unsubscribe(roomChannel(room));
    const ended: Phase = { kind: 'ended', room };
    this.#enter(ended);
    const view = endedView({
      api: this.api,
      room,
      headingLevel: this.headingLevel,
      navigate: (href) => emit(this, 'md-navigate', { href }, { cancelable: true }) && window.location.assign(this.resolveUrl(href)),
      shown: () => !room.signal.aborted && this.#phase === ended,
      describe: (error) => this.reportError(error, room.signal)?.message ?? null,
    });
    render(this.shadowRoot!, view);
    emit(this, 'md-room-change', { view: 'ended' });
  }

  // ------------------------------------------------------------------ session and socket

  /** After a reconnect: what changed while no push could arrive. */
  async #refreshSession(): Promise<void> {
    const room = this.#room;
    if (!room) return;
    try {
      const fresh = await unwrap(this.api.GET('/api/sessions/{id}/', { params: { path: { id: room.session.id } } }));
      if (!room.signal.aborted) this.#applySession(fresh);
    } catch (error) {
      this.reportError(error, room.signal);
    }
  }

  /** A newer copy of the session (REST, or a push whose `my_booking` is always null). */
  #applySession(session: Schema<'Session'>): void {
    const room = this.#room;
    if (!room) return;
    room.session = { ...session, my_booking: room.session.my_booking };
    if (this.#phase.kind === 'lobby' || this.#phase.kind === 'call') this.#showForStatus(room);
  }

  #onSocketState(state: ConnectionState): void {
    const room = this.#room;
    const phase = this.#phase;
    if (room) room.socketDown = state === 'reconnecting';
    // Subscriptions do not survive a socket: the room is rejoined (as a new peer) on reconnect.
    if (state === 'reconnecting' && phase.kind === 'call') phase.lost();
    this.#renderBanner();
    emit(this, 'md-connection-change', { state });
  }

  #onMessage(message: ServerMessage): void {
    const room = this.#room;
    const phase = this.#phase;
    if (!room) return;
    const inRoom = 'channel' in message && message.channel === roomChannel(room);
    const call = phase.kind === 'call' ? phase : null;
    if (message.type === 'session_update' && message.session.id === room.session.id) this.#applySession(message.session);
    else if (message.type === 'participant_count' && message.session === room.session.id) {
      room.session = { ...room.session, participant_count: message.participant_count, spots_left: message.spots_left };
      if (phase.kind === 'lobby') phase.renderReadiness();
    } else if (message.type === 'room_state' && inRoom && call) call.onRoomState(message);
    else if (message.type === 'presence' && inRoom) call?.onPresence(message);
    else if (message.type === 'signal' && inRoom) call?.call.receive(message.from.peer, message.data);
    else if (message.type === 'chat' && inRoom) call?.addChat([message.message]);
    else if (message.type === 'ack') call?.chat.acknowledged(message.ref);
    else if (message.type === 'unsubscribed' && inRoom) this.#onRoomClosed(room, message.reason);
    else if (message.type === 'error' && message.ref?.startsWith('chat-')) call?.chat.refused(message.ref, message.message);
    else if (message.type === 'error' && call?.refusedBy(message)) {
      // The room refused us (no longer booked, session over, …): back to the lobby, saying why.
      this.#leaveCall({ text: message.message, error: true });
      void this.#refreshSession();
    }
  }

  #onRoomClosed(room: Room, reason: Extract<ServerMessage, { type: 'unsubscribed' }>['reason']): void {
    if (reason === 'presence_lost') {
      // The realtime client subscribes again at once; the next room_state rebuilds the calls.
      if (this.#phase.kind === 'call') this.#phase.lost();
    } else if (reason === 'session_ended') {
      void this.#refreshSession();
      this.#showEnded(room);
    } else if (reason === 'booking_cancelled') {
      this.#notice('Your booking for this class was cancelled.', room);
    }
  }

  // ------------------------------------------------------------------ media and rendering

  #onMediaChange(): void {
    if (this.#phase.kind === 'call' || this.#phase.kind === 'lobby') this.#phase.onMediaChange();
  }

  /** The lobby's readiness and the call's controls (whichever is shown), e.g. while busy. */
  #renderActions(): void {
    if (this.#phase.kind === 'lobby') this.#phase.renderReadiness();
    if (this.#phase.kind === 'call') this.#phase.renderControls();
  }

  #renderBanner(): void {
    const phase = this.#phase;
    if (phase.kind === 'lobby' || phase.kind === 'call') setBanner(phase.ui.banner, phase.bannerText);
  }

  readonly #button: ButtonFactory = (label, style, action, onclick, icon) =>
    h('button', { type: 'button', class: `btn ${style}`, 'data-action': action, disabled: this.#room?.busy ?? false, onclick }, icon, label);

  // ------------------------------------------------------------------ actions

  /** Runs a lobby or call action, one at a time; a refusal is shown in place. */
  async #act(action: () => Promise<void>): Promise<void> {
    const room = this.#room;
    if (!room || room.busy) return;
    // The pressed button is disabled while the action runs (and so loses the focus): restore it.
    const pressed = this.shadowRoot!.activeElement?.getAttribute('data-action');
    room.busy = true;
    if (this.#phase.kind === 'lobby') this.#phase.message = null;
    this.#renderActions();
    try {
      await action();
    } catch (error) {
      const detail = this.reportError(error, room.signal);
      if (detail && (this.#phase.kind === 'call' || this.#phase.kind === 'lobby')) this.#phase.showError(detail.message);
    } finally {
      room.busy = false;
      this.#renderActions();
      if (pressed) keepFocus(this, `[data-action="${pressed}"]`);
    }
  }
}

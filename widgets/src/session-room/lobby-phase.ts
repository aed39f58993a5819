/**
 * The lobby phase of `<session-room>`: the lobby view, the camera and microphone it previews (kept
 * for the call), and the line under the readiness (why something failed, or that the user left).
 */
import { unwrap } from '../shared/api.ts';
import { fullName } from '../shared/format.ts';
import { LobbyView } from './lobby-view.ts';
import type { LocalMedia } from './media.ts';
import { roomHeader, showLocal, type LobbyMessage, type PhaseHost, type Room } from './room-view.ts';

/** What the lobby needs from the element. */
export interface LobbyHost extends PhaseHost {
  /** The `ice-servers` attribute's, or null to ask the API. */
  iceServers(): RTCIceServer[] | null;
  /** Redraws our own feed (in whichever view shows it now). */
  renderLocal(): void;
  enterCall(iceServers: RTCIceServer[]): void;
}

export class LobbyPhase {
  readonly kind = 'lobby';
  readonly ui: LobbyView;
  readonly #host: LobbyHost;

  constructor(
    readonly room: Room,
    readonly media: LocalMedia,
    public message: LobbyMessage | null,
    host: LobbyHost,
  ) {
    this.#host = host;
    this.ui = new LobbyView(roomHeader(room, host.headingLevel, false));
  }

  /** After the camera started (`starting`, or already running): the preview and the device choice. */
  async showMedia(starting: Promise<string | null> | null): Promise<void> {
    const problem = await starting;
    // A failure adopts no track, so nothing else redraws the tile that said "Starting camera…".
    if (starting) this.#host.renderLocal();
    if (!this.#host.current(this)) return;
    const shown = await this.ui.renderDevices(this.media, (message) => this.showMessage(message));
    if (shown && problem) this.showMessage({ text: problem, error: true });
  }

  renderLocal(): void {
    showLocal(this.ui.preview, this.media);
  }

  onMediaChange(): void {
    this.renderLocal();
  }

  showMessage(message: LobbyMessage | null): void {
    this.message = message;
    this.renderReadiness();
  }

  renderReadiness(): void {
    if (!this.#host.current(this)) return;
    const { button, act } = this.#host;
    this.ui.renderReadiness(this.room, this.#host.headingLevel + 1, this.message, {
      button,
      ready: () => act(() => this.#markReady()),
      start: () => act(() => this.#join()),
      refresh: () => !this.room.signal.aborted && this.renderReadiness(),
    });
  }

  /** "Reconnecting…" while the socket is down, else nothing. */
  get bannerText(): string | null {
    return this.room.socketDown ? 'Reconnecting… Live updates are paused.' : null;
  }

  showError(text: string): void {
    this.message = { text, error: true };
  }

  /** "I'm Ready" (the mentor, for the session) or "Confirm I'm ready" (a learner, for the booking). */
  async #markReady(): Promise<void> {
    const { room } = this;
    const { api } = this.#host;
    if (!room.isMentor) room.booking = await unwrap(api.POST('/api/bookings/{id}/ready/', { params: { path: { id: room.booking!.id } } }));
    else this.#host.applySession(await unwrap(api.POST('/api/sessions/{id}/ready/', { params: { path: { id: room.session.id } } })));
  }

  /** "Start Class" / "Join class": both sides call /start/ (the second gets the in-progress session). */
  async #join(): Promise<void> {
    const { room } = this;
    const { api } = this.#host;
    const path = { id: room.session.id };
    const session = await unwrap(api.POST('/api/sessions/{id}/start/', { params: { path } }));
    const iceServers = this.#host.iceServers() ?? ((await unwrap(api.GET('/api/rtc/config/'))).iceServers as RTCIceServer[]);
    // The mentor's learners name their video feeds: joining does not wait on that succeeding.
    if (room.isMentor) {
      await unwrap(api.GET('/api/bookings/', { params: { query: { session: path.id, page_size: 100 } } })).then(
        (page) => page.results.forEach((booking) => room.names.set(booking.learner, fullName(booking.learner_summary))),
        (error: unknown) => this.#host.reportError(error),
      );
    }
    if (room.signal.aborted || !this.#host.current(this)) return;
    room.session = { ...session, my_booking: room.session.my_booking };
    this.#host.enterCall(iceServers);
  }

  dispose(): void {
    this.ui.dispose();
  }
}

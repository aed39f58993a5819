/**
 * The call phase of `<session-room>`: what exists only while the user is in the call (the peer
 * connections, the chat, the call view, whether the room channel is joined) and what it does with
 * the room channel's messages. Everything here goes in `dispose()`.
 */
import { unwrap, type Schema } from '../shared/api.ts';
import { fullName } from '../shared/format.ts';
import type { ServerMessage } from '../shared/realtime.ts';
import { Call, type RemoteView } from './call.ts';
import { CallView } from './call-view.ts';
import { ChatPanel } from './chat.ts';
import type { LocalMedia } from './media.ts';
import { inboundQuality, outboundQuality, readStats, type Quality, type StatsSample } from './quality.ts';
import { roomChannel, roomHeader, showLocal, type PhaseHost, type Room } from './room-view.ts';

type Message<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** What the call needs from the element. */
export interface CallHost extends PhaseHost {
  /** "Leave": back to the lobby. */
  leave(): void;
}

/** Errors answering our `subscribe` to the room: the call cannot go on. */
const JOIN_REFUSALS = new Set(['forbidden', 'not_found', 'room_not_open', 'room_window_not_open', 'room_window_closed', 'unavailable', 'too_many_subscriptions']);

/** How often the connections' stats are read for the quality badges and banner. */
const QUALITY_POLL_MS = 2000;

/** Chat message ids (`chat-1`, …) are unique for the page, across calls. */
let chatSeq = 0;

export class CallPhase {
  readonly kind = 'call';
  readonly ui: CallView;
  readonly call: Call;
  readonly chat: ChatPanel;
  /** `room_state` arrived on the current socket: signals and chat may be sent. */
  inRoom = false;
  /** `room_state`s received during this call; every one after the first is a rejoin. */
  joins = 0;
  /** Users whose peer left during the call: when they come back, show it as a reconnection. */
  readonly returning = new Set<number>();
  readonly #host: CallHost;
  /** The last stats sample of each member's connection (rates need two). */
  readonly #samples = new Map<string, { pc: RTCPeerConnection; sample: StatsSample }>();
  readonly #qualityTimer = setInterval(() => void this.#pollQuality(), QUALITY_POLL_MS);

  constructor(
    readonly room: Room,
    readonly media: LocalMedia,
    iceServers: RTCIceServer[],
    host: CallHost,
  ) {
    this.#host = host;
    this.call = new Call({
      channel: roomChannel(room),
      iceServers,
      media,
      send: (message) => room.realtime.send(message),
      onChange: () => {
        this.renderTiles();
        host.renderBanner();
      },
    });
    this.chat = new ChatPanel({ me: room.profile.id, headingLevel: host.headingLevel + 1, send: (body) => this.#sendChat(body) });
    this.chat.setEnabled(false, 'Joining…');
    this.ui = new CallView(roomHeader(room, host.headingLevel, false), this.chat.root);
  }

  /** The "Reconnecting…" banner's text while in the call, or null. */
  get bannerText(): string | null {
    if (this.room.socketDown) return 'Reconnecting… The call and chat resume by themselves.';
    if (!this.inRoom && this.joins > 0) return 'Reconnecting… Rejoining the class.';
    if (this.call.recovering) return 'Reconnecting… The video connection dropped and is being restored.';
    return null;
  }

  /** Stops the peer connections and the screen share (the camera and microphone stay). */
  dispose(): void {
    clearInterval(this.#qualityTimer);
    this.media.stopSharing();
    this.call.destroy();
  }

  /** The room channel is lost (socket dropped, presence lost): rejoined by the next `room_state`. */
  lost(): void {
    this.inRoom = false;
    this.chat.setEnabled(false, 'Reconnecting…');
    this.#host.renderBanner();
  }

  /** An `error` answering our `subscribe` to the room says the call cannot go on. */
  refusedBy(message: Message<'error'>): boolean {
    return message.channel === roomChannel(this.room) && JOIN_REFUSALS.has(message.code);
  }

  /** We joined (or rejoined, as a new peer) the room. */
  onRoomState(message: Message<'room_state'>): void {
    const rejoin = this.joins++ > 0;
    this.inRoom = true;
    // We are a new peer: every earlier connection is stale (the others dropped theirs on `leave`).
    this.call.clear();
    for (const member of message.members) this.call.add(member, member.initiator, rejoin);
    this.addChat(message.history);
    this.chat.setEnabled(true);
    if (rejoin) void this.#catchUpChat();
    this.#host.renderBanner();
  }

  onPresence({ member, event, initiator }: Message<'presence'>): void {
    if (!this.inRoom) return;
    if (event === 'join') {
      this.call.add(member, initiator ?? false, this.returning.delete(member.user));
    } else {
      this.call.remove(member.peer);
      this.returning.add(member.user);
    }
  }

  addChat(messages: readonly Schema<'ChatMessage'>[]): void {
    for (const m of messages) this.room.names.set(m.sender, fullName(m.sender_summary));
    this.chat.add(messages);
    this.renderTiles();
  }

  /** The camera, microphone or screen share changed: move the senders over, redraw. */
  onMediaChange(): void {
    this.call.syncTracks();
    this.renderLocal();
    this.renderControls();
  }

  renderLocal(): void {
    showLocal(this.ui.local, this.media);
  }

  renderTiles(): void {
    if (!this.#host.current(this)) return;
    this.renderLocal();
    this.ui.renderRemotes(this.call.remotes, (remote: RemoteView) => {
      const name = this.room.names.get(remote.member.user);
      const role = remote.member.role === 'mentor' ? 'Mentor' : 'Learner';
      return name ? `${name} (${role.toLowerCase()})` : role;
    });
  }

  renderControls(): void {
    const { button, leave, act } = this.#host;
    this.ui.renderControls(this.media, { button, isMentor: this.room.isMentor, leave, end: () => act(() => this.#endClass()) });
  }

  showError(text: string): void {
    this.ui.error.textContent = text;
  }

  /** The mentor ends the class for everyone (`/complete/`); the room then closes for all. */
  async #endClass(): Promise<void> {
    const path = { id: this.room.session.id };
    this.#host.applySession(await unwrap(this.#host.api.POST('/api/sessions/{id}/complete/', { params: { path } })));
  }

  /** Chat written while this socket was away (beyond the 50 messages of `room_state`). */
  async #catchUpChat(): Promise<void> {
    const { room, chat } = this;
    try {
      // Ascending after the newest message shown, 100 at a time, until nothing is left.
      for (;;) {
        const query = { after: chat.lastId, page_size: 100 };
        const page = await unwrap(this.#host.api.GET('/api/sessions/{id}/chat/', { params: { path: { id: room.session.id }, query } }));
        if (room.signal.aborted || !this.#host.current(this)) return;
        this.addChat(page.results);
        if (!page.next || page.results.length === 0) return;
      }
    } catch (error) {
      this.#host.reportError(error);
    }
  }

  /**
   * Reads every connection's stats: a badge per remote feed (what we receive from them), and the
   * "Your connection is poor" banner when what we send is poor at every member (one member's bad
   * network is theirs; all of them at once is ours).
   */
  async #pollQuality(): Promise<void> {
    const connections = this.call.connections;
    const measured = await Promise.all(
      connections.map(({ peer, pc }) =>
        pc.getStats().then(
          (report) => ({ peer, pc, sample: readStats(report) }),
          () => null,
        ),
      ),
    );
    if (!this.#host.current(this)) return;
    const outbound: Quality[] = [];
    for (const [peer, entry] of this.#samples) if (!connections.some((c) => c.peer === peer && c.pc === entry.pc)) this.#samples.delete(peer);
    for (const m of measured) {
      if (!m) continue;
      const prev = this.#samples.get(m.peer)?.sample ?? null;
      this.#samples.set(m.peer, { pc: m.pc, sample: m.sample });
      const remote = this.call.remotes.find((r) => r.member.peer === m.peer);
      if (remote?.status === 'connected') this.ui.remotes.get(m.peer)?.showQuality(inboundQuality(prev, m.sample, remote.media?.video ?? false));
      outbound.push(outboundQuality(prev, m.sample));
    }
    const poor = outbound.length > 0 && outbound.every((q) => q.level === 'poor');
    this.ui.showPoorConnection(poor ? outbound[0]! : null);
  }

  #sendChat(body: string): string | null {
    if (!this.inRoom || !this.#host.current(this)) return null;
    const id = `chat-${++chatSeq}`;
    return this.room.realtime.send({ type: 'chat', channel: roomChannel(this.room), body, id }) ? id : null;
  }
}

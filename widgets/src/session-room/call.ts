/**
 * The peer connections of one room: one simple-peer connection per other member, signalled over
 * the room channel (`signal` messages relayed by the server to the addressed peer).
 *
 * - **Initiator**: the server decides, per pair, who makes the offer (`room_state` / `presence`
 *   carry `initiator`), so two peers never offer to each other at once.
 * - **Generations**: simple-peer has no ICE restart, so a connection that fails is destroyed and
 *   rebuilt. Every signal we relay is `{ gen, signal }`; the initiator bumps `gen` for each rebuild.
 *   The answering side drops its connection when a newer generation arrives and ignores stale
 *   ones, so candidates of a dead connection can never reach its successor.
 * - **Recovery**: the initiator rebuilds (with backoff) when its connection closes, fails, stays
 *   ICE-disconnected for a few seconds, or does not connect in time; the answering side in those
 *   cases sends `{ gen, rebuild: true }` to ask for a new offer. A member whose socket dropped
 *   comes back as a new peer, handled as a new connection.
 * - **Media state** (mute, camera off, screen share) travels over each connection's data channel
 *   as `{ "type": "media", "audio", "video", "screen" }`: on connect and on every change. It
 *   needs no server round trip and is naturally per connection.
 */
import SimplePeer from 'simple-peer';
import type { Schema } from '../shared/api.ts';
import type { ClientMessage } from '../shared/realtime.ts';
import type { LocalMedia, MediaState } from './media.ts';

export type LinkStatus = 'connecting' | 'connected' | 'reconnecting';

export type RoomPeer = Schema<'WsRoomMember'>;

/** What the UI shows for one remote member. */
export interface RemoteView {
  readonly member: RoomPeer;
  readonly status: LinkStatus;
  readonly stream: MediaStream | null;
  /** The member's last announced media state; null until their connection told us. */
  readonly media: MediaState | null;
}

type TrackKind = 'audio' | 'video';

interface Link extends RemoteView {
  status: LinkStatus;
  stream: MediaStream | null;
  media: MediaState | null;
  initiator: boolean;
  gen: number;
  sp: SimplePeer.Instance | null;
  /** The tracks each sender was created with (simple-peer's key for `replaceTrack`). */
  keys: Record<TrackKind, MediaStreamTrack | null>;
  /** What each sender sends now. */
  sent: Record<TrackKind, MediaStreamTrack | null>;
  attempts: number;
  /** Connect timeout, disconnect grace, or the scheduled rebuild. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The `data` of our `signal` messages. Opaque to the server. */
interface SignalEnvelope {
  gen: number;
  signal?: SimplePeer.SignalData;
  rebuild?: true;
}

export interface CallOptions {
  /** `room_{id}`. */
  channel: string;
  /** Passed to every RTCPeerConnection (never simple-peer's public STUN defaults). */
  iceServers: RTCIceServer[];
  media: LocalMedia;
  /** Sends on the socket; false when it is not open (the message is lost). */
  send(message: ClientMessage): boolean;
  /** Something the UI shows changed. */
  onChange(): void;
}

/** A connection that has not connected by then is rebuilt. */
const CONNECT_TIMEOUT_MS = 20_000;
/** ICE `disconnected` often heals by itself; after this long it is treated as failed. */
const DISCONNECTED_GRACE_MS = 5_000;
const REBUILD_BASE_MS = 500;
const REBUILD_MAX_MS = 10_000;

function readEnvelope(data: unknown): SignalEnvelope | null {
  if (typeof data !== 'object' || data === null) return null;
  const { gen, signal, rebuild } = data as Record<string, unknown>;
  if (!Number.isSafeInteger(gen) || (gen as number) < 0) return null;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null)) return null;
  return { gen: gen as number, signal: signal as SimplePeer.SignalData | undefined, rebuild: rebuild === true ? true : undefined };
}

function readMediaState(chunk: unknown): MediaState | null {
  try {
    const text = typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk as Uint8Array);
    const { type, audio, video, screen } = JSON.parse(text) as Record<string, unknown>;
    if (type !== 'media' || typeof audio !== 'boolean' || typeof video !== 'boolean' || typeof screen !== 'boolean') return null;
    return { audio, video, screen };
  } catch {
    return null;
  }
}

/** Delay before rebuild attempt `n` (0-based): at once, then backoff with jitter. */
function rebuildDelay(attempt: number): number {
  if (attempt === 0) return 0;
  return Math.round(Math.min(REBUILD_MAX_MS, REBUILD_BASE_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
}

export class Call {
  readonly #options: CallOptions;
  readonly #links = new Map<string, Link>();
  #destroyed = false;

  constructor(options: CallOptions) {
    this.#options = options;
  }

  get remotes(): RemoteView[] {
    return [...this.#links.values()];
  }

  /** The RTCPeerConnection of each connected member (simple-peer keeps it as `_pc`), for getStats(). */
  get connections(): Array<{ peer: string; pc: RTCPeerConnection }> {
    const connected: Array<{ peer: string; pc: RTCPeerConnection }> = [];
    for (const link of this.#links.values()) {
      const pc = (link.sp as unknown as { _pc?: RTCPeerConnection } | null)?._pc;
      if (pc && link.status === 'connected' && !link.sp!.destroyed) connected.push({ peer: link.member.peer, pc });
    }
    return connected;
  }

  /** A connection is being re-established. */
  get recovering(): boolean {
    return this.remotes.some((r) => r.status === 'reconnecting');
  }

  /**
   * Connects to a member. `initiator`: we make the offer (the server's choice). `returning`: the
   * member dropped out a moment ago, so this is shown as reconnecting rather than connecting.
   */
  add(member: RoomPeer, initiator: boolean, returning = false): void {
    if (this.#destroyed) return;
    this.remove(member.peer);
    const link: Link = {
      member,
      initiator,
      status: returning ? 'reconnecting' : 'connecting',
      stream: null,
      media: null,
      gen: initiator ? 1 : 0,
      sp: null,
      keys: { audio: null, video: null },
      sent: { audio: null, video: null },
      attempts: 0,
      timer: undefined,
    };
    this.#links.set(member.peer, link);
    if (initiator) this.#open(link);
    else this.#armTimeout(link); // the offer should come soon; if not, ask for one
    this.#options.onChange();
  }

  /** A member left (or dropped): its connection goes. */
  remove(peer: string): void {
    const link = this.#links.get(peer);
    if (!link) return;
    this.#links.delete(peer);
    this.#close(link);
    this.#options.onChange();
  }

  /** Drops every connection (e.g. before following a new `room_state`). */
  clear(): void {
    for (const peer of [...this.#links.keys()]) this.remove(peer);
  }

  /** A `signal` relayed from `from`. */
  receive(from: string, data: unknown): void {
    const link = this.#links.get(from);
    const envelope = readEnvelope(data);
    if (!link || !envelope) return;
    if (envelope.rebuild) {
      // The answering side gave up on the current connection: offer a new one.
      if (link.initiator && envelope.gen === link.gen) this.#lost(link, link.sp);
      return;
    }
    if (!envelope.signal) return;
    if (!link.initiator && envelope.gen > link.gen) {
      // A new connection from the initiator replaces whatever we had: the initiator saw ours fail,
      // perhaps before we did, so this is a reconnection even if ours still looked connected.
      if (link.sp) link.status = 'reconnecting';
      this.#close(link);
      link.gen = envelope.gen;
      this.#open(link);
      this.#options.onChange();
    }
    if (envelope.gen === link.gen && link.sp && !link.sp.destroyed) link.sp.signal(envelope.signal);
  }

  /** The local tracks changed (device switch, screen share): move every sender over. */
  syncTracks(): void {
    const { media } = this.#options;
    const wanted: Record<TrackKind, MediaStreamTrack | null> = { audio: media.audioTrack, video: media.videoTrack };
    for (const link of this.#links.values()) {
      const sp = link.sp;
      if (!sp || sp.destroyed) continue;
      try {
        for (const kind of ['audio', 'video'] as const) {
          if (link.sent[kind] === wanted[kind]) continue;
          const key = link.keys[kind];
          // A kind this connection was built without needs new senders: rebuild it with them.
          if (!key) throw new Error(`no ${kind} sender`);
          // null (e.g. sharing ended without a camera) stops sending that kind; the sender stays.
          sp.replaceTrack(key, wanted[kind]!, media.outgoing);
          link.sent[kind] = wanted[kind];
        }
      } catch {
        this.#lost(link, sp);
      }
    }
    this.broadcastMedia();
  }

  /** Tells every connected member our mute / camera / screen state. */
  broadcastMedia(): void {
    for (const link of this.#links.values()) this.#sendMedia(link);
  }

  destroy(): void {
    this.clear();
    this.#destroyed = true;
  }

  #open(link: Link): void {
    const { media, channel, iceServers } = this.#options;
    const outgoing = media.outgoing;
    const sp = new SimplePeer({
      initiator: link.initiator,
      streams: outgoing.getTracks().length ? [outgoing] : [],
      config: { iceServers },
      trickle: true,
      objectMode: true,
    });
    link.sp = sp;
    link.keys = { audio: outgoing.getAudioTracks()[0] ?? null, video: outgoing.getVideoTracks()[0] ?? null };
    link.sent = { ...link.keys };
    const gen = link.gen;
    const current = () => link.sp === sp && this.#links.get(link.member.peer) === link;

    sp.on('signal', (signal: SimplePeer.SignalData) => {
      const data: SignalEnvelope = { gen, signal };
      this.#options.send({ type: 'signal', channel, to: link.member.peer, data: data as unknown as Record<string, unknown> });
    });
    sp.on('stream', (stream: MediaStream) => {
      if (!current()) return;
      link.stream = stream;
      this.#options.onChange();
    });
    sp.on('connect', () => {
      if (!current()) return;
      clearTimeout(link.timer);
      link.status = 'connected';
      link.attempts = 0;
      this.#sendMedia(link);
      this.#options.onChange();
    });
    sp.on('iceStateChange', (state: RTCIceConnectionState) => {
      if (!current()) return;
      if (state === 'disconnected' && link.status === 'connected') {
        link.status = 'reconnecting';
        clearTimeout(link.timer);
        link.timer = setTimeout(() => this.#lost(link, sp), DISCONNECTED_GRACE_MS);
        this.#options.onChange();
      } else if ((state === 'connected' || state === 'completed') && sp.connected && link.status === 'reconnecting') {
        clearTimeout(link.timer);
        link.status = 'connected';
        this.#options.onChange();
      }
    });
    sp.on('data', (chunk: unknown) => {
      const state = current() ? readMediaState(chunk) : null;
      if (!state) return;
      link.media = state;
      this.#options.onChange();
    });
    // An error is always followed by `close`; either one starts the recovery (once).
    sp.on('error', () => this.#lost(link, sp));
    sp.on('close', () => this.#lost(link, sp));
    this.#armTimeout(link);
  }

  #armTimeout(link: Link): void {
    clearTimeout(link.timer);
    const sp = link.sp;
    link.timer = setTimeout(() => this.#lost(link, sp), CONNECT_TIMEOUT_MS);
  }

  /** Connection `sp` of `link` is gone or hopeless: rebuild it (initiator) or ask for that. */
  #lost(link: Link, sp: SimplePeer.Instance | null): void {
    if (this.#destroyed || this.#links.get(link.member.peer) !== link || link.sp !== sp) return;
    this.#close(link);
    link.status = 'reconnecting';
    if (link.initiator) {
      link.timer = setTimeout(() => {
        link.gen += 1;
        this.#open(link);
      }, rebuildDelay(link.attempts++));
    } else {
      const data: SignalEnvelope = { gen: link.gen, rebuild: true };
      this.#options.send({ type: 'signal', channel: this.#options.channel, to: link.member.peer, data: data as unknown as Record<string, unknown> });
      this.#armTimeout(link); // and ask again if no new offer comes
    }
    this.#options.onChange();
  }

  #close(link: Link): void {
    clearTimeout(link.timer);
    link.timer = undefined;
    const sp = link.sp;
    link.sp = null;
    link.stream = null;
    sp?.destroy();
  }

  #sendMedia(link: Link): void {
    if (!link.sp?.connected) return;
    try {
      link.sp.send(JSON.stringify({ type: 'media', ...this.#options.media.state }));
    } catch {
      // The channel closed under us: the connection's `close` handles it.
    }
  }
}

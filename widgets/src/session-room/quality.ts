/**
 * Call quality from `RTCPeerConnection.getStats()`, computed in the browser (no server round trip).
 *
 * A stats report is first reduced to a `StatsSample` of cumulative counters; two samples of the
 * same connection a poll apart give rates (bitrate, frames per second, packet loss over the
 * interval). Pure: no DOM, no timers, so the thresholds are unit-tested (test/unit/quality.test.ts).
 *
 * - **Inbound** (a remote feed, the badge on its tile): what we receive from that member —
 *   `inbound-rtp` (bytes, packets received and lost, frames decoded / `framesPerSecond`) and the
 *   selected `candidate-pair`'s round-trip time.
 * - **Outbound** (our side, the "Your connection is poor" banner): what the other end reports about
 *   what we send — `remote-inbound-rtp` (`roundTripTime`, `fractionLost`, `packetsLost`) against
 *   our `outbound-rtp` packets sent, and the candidate pair's round-trip time.
 *
 * Bitrate is shown but not graded: a still screen share, or a camera that is off, sends almost
 * nothing on a perfect network. Frames per second are graded only when video is expected.
 */

export type QualityLevel = 'good' | 'fair' | 'poor';

export interface Quality {
  level: QualityLevel;
  /** Round-trip time in milliseconds, or null when not measured yet. */
  rttMs: number | null;
  /** Packets lost over the interval (or so far), in percent. */
  lossPct: number | null;
  /** Video frames per second received; null for outbound or without video. */
  fps: number | null;
  /** Kilobits per second received (inbound) or sent (outbound); null on the first sample. */
  kbps: number | null;
}

/** Anything with the stats as values: an `RTCStatsReport`, or a `Map` in tests. */
export interface StatsReportLike {
  values(): Iterable<unknown>;
}

/** Cumulative counters of one connection at one moment. */
export interface StatsSample {
  /** Milliseconds (the stats' own timestamp). */
  at: number;
  pairRttMs: number | null;
  inBytes: number;
  inPackets: number;
  inLost: number;
  framesDecoded: number | null;
  framesPerSecond: number | null;
  outBytes: number;
  outPackets: number;
  remoteLost: number;
  remoteRttMs: number | null;
  /** 0–1, the share lost in the other end's last report interval. */
  fractionLost: number | null;
}

/** Thresholds: a figure beyond `fair` makes the level at most fair, beyond `poor` poor. */
export const THRESHOLDS = {
  rttMs: { fair: 250, poor: 500 },
  lossPct: { fair: 2, poor: 8 },
  /** Lower is worse. */
  fps: { fair: 10, poor: 5 },
} as const;

type Stat = Record<string, unknown> & { type?: unknown; id?: unknown };

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The connection's selected candidate pair (via `transport`, else the nominated succeeded one). */
function selectedPair(stats: Stat[]): Stat | undefined {
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const byId = transport && stats.find((s) => s.type === 'candidate-pair' && s.id === transport.selectedCandidatePairId);
  return byId ?? stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
}

/** Reduces a stats report to the counters quality is computed from. */
export function readStats(report: StatsReportLike, now = Date.now()): StatsSample {
  const stats = [...report.values()].filter((s): s is Stat => typeof s === 'object' && s !== null);
  const pairRtt = num(selectedPair(stats)?.currentRoundTripTime);
  const sample: StatsSample = {
    at: now,
    pairRttMs: pairRtt === null ? null : pairRtt * 1000,
    inBytes: 0,
    inPackets: 0,
    inLost: 0,
    framesDecoded: null,
    framesPerSecond: null,
    outBytes: 0,
    outPackets: 0,
    remoteLost: 0,
    remoteRttMs: null,
    fractionLost: null,
  };
  let stamp: number | null = null;
  for (const s of stats) {
    stamp ??= num(s.timestamp);
    if (s.type === 'inbound-rtp') {
      sample.inBytes += num(s.bytesReceived) ?? 0;
      sample.inPackets += num(s.packetsReceived) ?? 0;
      sample.inLost += Math.max(0, num(s.packetsLost) ?? 0);
      if (s.kind === 'video') {
        sample.framesDecoded = (sample.framesDecoded ?? 0) + (num(s.framesDecoded) ?? 0);
        sample.framesPerSecond = num(s.framesPerSecond) ?? sample.framesPerSecond;
      }
    } else if (s.type === 'outbound-rtp') {
      sample.outBytes += num(s.bytesSent) ?? 0;
      sample.outPackets += num(s.packetsSent) ?? 0;
    } else if (s.type === 'remote-inbound-rtp') {
      sample.remoteLost += Math.max(0, num(s.packetsLost) ?? 0);
      const rtt = num(s.roundTripTime);
      if (rtt !== null) sample.remoteRttMs = Math.max(sample.remoteRttMs ?? 0, rtt * 1000);
      const fraction = num(s.fractionLost);
      if (fraction !== null) sample.fractionLost = Math.max(sample.fractionLost ?? 0, fraction);
    }
  }
  sample.at = stamp ?? now;
  return sample;
}

/** good / fair / poor from the figures measured (null figures are not graded). */
export function levelOf(figures: Pick<Quality, 'rttMs' | 'lossPct' | 'fps'>): QualityLevel {
  const { rttMs, lossPct, fps } = figures;
  const t = THRESHOLDS;
  if ((rttMs !== null && rttMs > t.rttMs.poor) || (lossPct !== null && lossPct > t.lossPct.poor) || (fps !== null && fps < t.fps.poor)) return 'poor';
  if ((rttMs !== null && rttMs > t.rttMs.fair) || (lossPct !== null && lossPct > t.lossPct.fair) || (fps !== null && fps < t.fps.fair)) return 'fair';
  return 'good';
}

/** Share of `lost` in `lost + received`, in percent; null when nothing was expected. */
function lossPercent(lost: number, received: number): number | null {
  const expected = lost + received;
  return expected > 0 ? (100 * Math.max(0, lost)) / expected : null;
}

/** Seconds between two samples, or null when they are not in order. */
function seconds(prev: StatsSample | null, next: StatsSample): number | null {
  if (!prev) return null;
  const dt = (next.at - prev.at) / 1000;
  return dt > 0 ? dt : null;
}

/**
 * What we receive from one member. `prev`: the sample of the same connection one poll earlier
 * (null at first: loss so far, no bitrate). `video`: the member's camera or screen is on.
 */
export function inboundQuality(prev: StatsSample | null, next: StatsSample, video: boolean): Quality {
  const dt = seconds(prev, next);
  const kbps = dt && prev ? Math.max(0, (8 * (next.inBytes - prev.inBytes)) / 1000 / dt) : null;
  const lossPct = dt && prev ? lossPercent(next.inLost - prev.inLost, next.inPackets - prev.inPackets) : lossPercent(next.inLost, next.inPackets);
  let fps: number | null = null;
  if (video) {
    if (dt && prev && next.framesDecoded !== null && prev.framesDecoded !== null) fps = Math.max(0, (next.framesDecoded - prev.framesDecoded) / dt);
    else fps = next.framesPerSecond;
  }
  const figures = { rttMs: next.pairRttMs, lossPct, fps, kbps };
  return { level: levelOf(figures), ...figures };
}

/** What we send, as the other end reports it. */
export function outboundQuality(prev: StatsSample | null, next: StatsSample): Quality {
  const dt = seconds(prev, next);
  const kbps = dt && prev ? Math.max(0, (8 * (next.outBytes - prev.outBytes)) / 1000 / dt) : null;
  let lossPct: number | null = null;
  const sent = prev ? next.outPackets - prev.outPackets : 0;
  if (prev && sent > 0 && next.remoteLost >= prev.remoteLost) lossPct = Math.min(100, (100 * (next.remoteLost - prev.remoteLost)) / sent);
  else if (next.fractionLost !== null) lossPct = 100 * next.fractionLost;
  const rttMs = next.remoteRttMs ?? next.pairRttMs;
  const figures = { rttMs, lossPct, fps: null, kbps };
  return { level: levelOf(figures), ...figures };
}

const LABELS: Record<QualityLevel, string> = { good: 'Good', fair: 'Fair', poor: 'Poor' };

export const levelLabel = (level: QualityLevel): string => LABELS[level];

/** The figures as a sentence, e.g. "Round trip 12 ms · 0.0% lost · 30 fps · 1,200 kbps". */
export function describeQuality(q: Quality): string {
  const n = (value: number, digits = 0) => value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return [
    q.rttMs === null ? 'Round trip not measured yet' : `Round trip ${n(q.rttMs)} ms`,
    q.lossPct === null ? null : `${n(q.lossPct, 1)}% lost`,
    q.fps === null ? null : `${n(q.fps)} fps`,
    q.kbps === null ? null : `${n(q.kbps)} kbps`,
  ]
    .filter(Boolean)
    .join(' · ');
}

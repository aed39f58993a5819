/**
 * The room's call-quality classification (widgets/src/session-room/quality.ts): stats reports
 * reduced to counters, rates from two reports a poll apart, and the good / fair / poor thresholds.
 */
import { expect } from 'chai';
import { describeQuality, inboundQuality, levelOf, outboundQuality, readStats, THRESHOLDS } from '../../widgets/src/session-room/quality.ts';

type Stat = Record<string, unknown>;
const report = (...stats: Stat[]) => new Map(stats.map((s, i) => [String(s.id ?? `s${i}`), s]));

/** A receiving side: the selected pair, video and audio arriving. */
function inbound(at: number, o: { rtt?: number; bytes?: number; packets?: number; lost?: number; frames?: number; fps?: number } = {}) {
  return report(
    { id: 'T', type: 'transport', timestamp: at, selectedCandidatePairId: 'CP1' },
    { id: 'CP0', type: 'candidate-pair', timestamp: at, nominated: false, state: 'failed', currentRoundTripTime: 9 },
    { id: 'CP1', type: 'candidate-pair', timestamp: at, nominated: true, state: 'succeeded', currentRoundTripTime: o.rtt ?? 0.004 },
    { id: 'IV', type: 'inbound-rtp', kind: 'video', timestamp: at, bytesReceived: o.bytes ?? 0, packetsReceived: o.packets ?? 0, packetsLost: o.lost ?? 0, framesDecoded: o.frames ?? 0, framesPerSecond: o.fps },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', timestamp: at, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 },
  );
}

/** A sending side: what the other end reports about our packets. */
function outbound(at: number, o: { rtt?: number; sent?: number; bytes?: number; remoteLost?: number; fractionLost?: number } = {}) {
  return report(
    { id: 'OV', type: 'outbound-rtp', kind: 'video', timestamp: at, packetsSent: o.sent ?? 0, bytesSent: o.bytes ?? 0 },
    { id: 'RV', type: 'remote-inbound-rtp', kind: 'video', timestamp: at, roundTripTime: o.rtt, packetsLost: o.remoteLost ?? 0, fractionLost: o.fractionLost },
  );
}

describe('call quality (session-room/quality.ts)', () => {
  describe('levelOf', () => {
    it('is good on a clean connection, and ignores figures not measured', () => {
      expect(levelOf({ rttMs: 4, lossPct: 0, fps: 30 })).to.equal('good');
      expect(levelOf({ rttMs: null, lossPct: null, fps: null })).to.equal('good');
    });

    it('grades each figure at its thresholds (beyond fair → fair, beyond poor → poor)', () => {
      const { rttMs, lossPct, fps } = THRESHOLDS;
      expect(levelOf({ rttMs: rttMs.fair, lossPct: null, fps: null })).to.equal('good');
      expect(levelOf({ rttMs: rttMs.fair + 1, lossPct: null, fps: null })).to.equal('fair');
      expect(levelOf({ rttMs: rttMs.poor + 1, lossPct: null, fps: null })).to.equal('poor');
      expect(levelOf({ rttMs: null, lossPct: lossPct.fair, fps: null })).to.equal('good');
      expect(levelOf({ rttMs: null, lossPct: lossPct.fair + 0.1, fps: null })).to.equal('fair');
      expect(levelOf({ rttMs: null, lossPct: lossPct.poor + 0.1, fps: null })).to.equal('poor');
      expect(levelOf({ rttMs: null, lossPct: null, fps: fps.fair })).to.equal('good');
      expect(levelOf({ rttMs: null, lossPct: null, fps: fps.fair - 1 })).to.equal('fair');
      expect(levelOf({ rttMs: null, lossPct: null, fps: fps.poor - 1 })).to.equal('poor');
    });

    it('takes the worst figure', () => {
      expect(levelOf({ rttMs: 4, lossPct: 20, fps: 30 })).to.equal('poor');
      expect(levelOf({ rttMs: 300, lossPct: 0, fps: 30 })).to.equal('fair');
    });
  });

  describe('readStats', () => {
    it('reads the selected pair (through the transport), sums inbound streams and keeps video frames', () => {
      const s = readStats(inbound(1000, { rtt: 0.012, bytes: 5000, packets: 100, lost: 3, frames: 60, fps: 29 }));
      expect(s).to.include({ at: 1000, pairRttMs: 12, inBytes: 5000, inPackets: 100, inLost: 3, framesDecoded: 60, framesPerSecond: 29 });
    });

    it('falls back to the nominated succeeded pair without a transport, and to `now` without timestamps', () => {
      const s = readStats(report({ type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.05 }), 777);
      expect(s).to.include({ at: 777, pairRttMs: 50, framesDecoded: null });
    });

    it('reads what the other end reports about our packets (worst stream)', () => {
      const s = readStats(
        report(
          { type: 'outbound-rtp', packetsSent: 100, bytesSent: 1000 },
          { type: 'outbound-rtp', packetsSent: 50, bytesSent: 500 },
          { type: 'remote-inbound-rtp', roundTripTime: 0.02, packetsLost: 1, fractionLost: 0.01 },
          { type: 'remote-inbound-rtp', roundTripTime: 0.03, packetsLost: 2, fractionLost: 0.05 },
        ),
      );
      expect(s).to.include({ outPackets: 150, outBytes: 1500, remoteLost: 3, remoteRttMs: 30, fractionLost: 0.05 });
    });

    it('ignores stats it does not know and bad values', () => {
      const s = readStats(report({ type: 'codec' }, { type: 'inbound-rtp', kind: 'video', bytesReceived: 'x', packetsLost: -5 }));
      expect(s).to.include({ inBytes: 0, inLost: 0, pairRttMs: null, remoteRttMs: null });
    });
  });

  describe('inboundQuality (a remote feed)', () => {
    it('computes bitrate, frame rate and loss from the deltas of two reports', () => {
      const prev = readStats(inbound(10_000, { bytes: 100_000, packets: 1000, lost: 10, frames: 300 }));
      const next = readStats(inbound(12_000, { bytes: 350_000, packets: 1196, lost: 14, frames: 360 }));
      const q = inboundQuality(prev, next, true);
      expect(q.kbps).to.equal(1000); // 250,000 bytes in 2 s
      expect(q.fps).to.equal(30); // 60 frames in 2 s
      expect(q.lossPct).to.equal(2); // 4 of 200
      expect(q.rttMs).to.equal(4);
      expect(q.level).to.equal('good');
    });

    it('uses the totals so far and framesPerSecond on the first report (no bitrate yet)', () => {
      const q = inboundQuality(null, readStats(inbound(1000, { packets: 90, lost: 10, fps: 24 })), true);
      expect(q).to.deep.equal({ level: 'poor', rttMs: 4, lossPct: 10, fps: 24, kbps: null });
    });

    it('does not grade frames when the member sends no video', () => {
      const prev = readStats(inbound(0, { frames: 100 }));
      const next = readStats(inbound(2000, { frames: 100 }));
      expect(inboundQuality(prev, next, true)).to.include({ fps: 0, level: 'poor' });
      expect(inboundQuality(prev, next, false)).to.include({ fps: null, level: 'good' });
    });

    it('rates the interval, not the history: old losses do not keep a recovered feed poor', () => {
      const prev = readStats(inbound(0, { packets: 1000, lost: 500, frames: 0 }));
      const next = readStats(inbound(2000, { packets: 1100, lost: 500, frames: 60 }));
      expect(inboundQuality(prev, next, true)).to.include({ lossPct: 0, level: 'good' });
    });

    it('is poor when the round trip is long', () => {
      expect(inboundQuality(null, readStats(inbound(0, { rtt: 0.9 })), false)).to.include({ rttMs: 900, level: 'poor' });
    });

    it('ignores a report that is not newer than the previous one', () => {
      const same = readStats(inbound(5000, { bytes: 10 }));
      expect(inboundQuality(same, same, false).kbps).to.equal(null);
    });
  });

  describe('outboundQuality (our side)', () => {
    it('is good when the other end loses nothing and answers fast', () => {
      const prev = readStats(outbound(0, { rtt: 0.01, sent: 1000, bytes: 0 }));
      const next = readStats(outbound(2000, { rtt: 0.01, sent: 1200, bytes: 500_000 }));
      expect(outboundQuality(prev, next)).to.deep.equal({ level: 'good', rttMs: 10, lossPct: 0, fps: null, kbps: 2000 });
    });

    it('is poor when the other end reports our packets lost over the interval', () => {
      const prev = readStats(outbound(0, { sent: 1000, remoteLost: 0 }));
      const next = readStats(outbound(2000, { sent: 1100, remoteLost: 30 }));
      expect(outboundQuality(prev, next)).to.include({ lossPct: 30, level: 'poor' });
    });

    it("uses the other end's fractionLost on the first report, and the pair's RTT without a remote one", () => {
      const first = readStats(report({ type: 'remote-inbound-rtp', fractionLost: 0.05 }, { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.3 }));
      expect(outboundQuality(null, first)).to.include({ lossPct: 5, rttMs: 300, level: 'fair' });
    });

    it('is poor on a long remote round trip', () => {
      expect(outboundQuality(null, readStats(outbound(0, { rtt: 0.8 })))).to.include({ rttMs: 800, level: 'poor' });
    });
  });

  it('describes the figures as text', () => {
    expect(describeQuality({ level: 'good', rttMs: 12.4, lossPct: 0, fps: 29.6, kbps: 1234.5 })).to.match(/^Round trip 12 ms · 0\.0% lost · 30 fps · 1,?235 kbps$/);
    expect(describeQuality({ level: 'good', rttMs: null, lossPct: null, fps: null, kbps: null })).to.equal('Round trip not measured yet');
  });
});

/**
 * simple-peer 9 as the session-room bundle builds it: readable-stream, buffer, randombytes and debug
 * replaced by the shims of widgets/src/session-room (the `alias` of scripts/build-widgets.ts). The
 * library is bundled here with the same options and driven through a fake RTCPeerConnection, so the
 * paths the room relies on — data channel messages as `data` events, destroy → `close`, an error →
 * `error` then `close` — run on the shims, not on the packages they replace.
 */
import { expect } from 'chai';
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { simplePeerShims } from '../../scripts/build-widgets.ts';
import { Duplex, EventEmitter } from '../../widgets/src/session-room/stream-shim.ts';

interface FakeChannel {
  label: string;
  binaryType?: string;
  readyState: string;
  closed: boolean;
  onmessage?: (event: { data: unknown }) => void;
  onclose?: () => void;
  close(): void;
}

class FakePeerConnection {
  static last: FakePeerConnection;
  closed = false;
  ondatachannel?: (event: { channel: FakeChannel }) => void;
  constructor() {
    FakePeerConnection.last = this;
  }
  close(): void {
    this.closed = true;
  }
}

const fakeChannel = (): FakeChannel => ({
  label: 'room',
  readyState: 'open',
  closed: false,
  close() {
    this.closed = true;
  },
});

type Peer = EventEmitter & { destroy(error?: Error): void; destroyed: boolean };
let SimplePeer: new (options: Record<string, unknown>) => Peer;

/** Resolves with the events of `peer` once it emits `close` (or rejects after 2 s). */
function eventsUntilClose(peer: Peer): Promise<string[]> {
  const seen: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no close; saw ${seen.join(', ')}`)), 2000);
    peer.on('error', (error) => seen.push(`error:${(error as Error).message}`));
    peer.on('end', () => seen.push('end'));
    peer.on('close', () => {
      seen.push('close');
      clearTimeout(timer);
      setImmediate(() => resolve(seen));
    });
  });
}

describe('simple-peer on the session-room shims', function () {
  this.timeout(20_000);

  before(async () => {
    const { outputFiles, metafile } = await esbuild.build({
      stdin: { contents: "module.exports = require('simple-peer');", resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'browser',
      logLevel: 'silent',
      ...simplePeerShims,
      metafile: true,
    });
    const code = outputFiles[0]!.text;
    const packages = Object.keys(metafile.inputs).map((input) => input.match(/.*node_modules\/([^/]+)/)?.[1]).filter(Boolean);
    expect([...new Set(packages)].sort()).to.deep.equal(['err-code', 'get-browser-rtc', 'queue-microtask', 'simple-peer']);
    const module = { exports: {} as unknown };
    new Function('module', 'exports', 'require', code)(module, module.exports, createRequire(import.meta.url));
    SimplePeer = module.exports as typeof SimplePeer;
  });

  const answerer = (): { peer: Peer; channel: FakeChannel; pc: FakePeerConnection } => {
    const peer = new SimplePeer({ initiator: false, objectMode: true, trickle: true, wrtc: { RTCPeerConnection: FakePeerConnection } });
    const pc = FakePeerConnection.last;
    const channel = fakeChannel();
    pc.ondatachannel!({ channel });
    return { peer, channel, pc };
  };

  it('delivers a text message as the same string and a binary one as bytes, in order', () => {
    const { peer, channel } = answerer();
    const got: unknown[] = [];
    peer.on('data', (chunk) => got.push(chunk));
    channel.onmessage!({ data: '{"type":"media","audio":true,"video":false,"screen":false}' });
    channel.onmessage!({ data: new Uint8Array([1, 2, 3]).buffer });
    expect(got[0]).to.equal('{"type":"media","audio":true,"video":false,"screen":false}');
    expect(got[1]).to.be.instanceOf(Uint8Array);
    expect([...(got[1] as Uint8Array)]).to.deep.equal([1, 2, 3]);
    expect(channel.binaryType).to.equal('arraybuffer');
    peer.destroy();
  });

  it('closes the channel and the connection on destroy(), then emits end and close once, no error', async () => {
    const { peer, channel, pc } = answerer();
    const events = eventsUntilClose(peer);
    peer.destroy();
    expect(await events).to.deep.equal(['close', 'end']);
    expect(peer.destroyed).to.equal(true);
    expect(channel.closed && pc.closed).to.equal(true);
    expect(() => peer.destroy()).not.to.throw();
  });

  it('emits the error of destroy(error) before close', async () => {
    const { peer } = answerer();
    const events = eventsUntilClose(peer);
    peer.destroy(new Error('ice failed'));
    expect((await events).slice(0, 2)).to.deep.equal(['error:ice failed', 'close']);
  });

  it('destroys itself when the data channel closes', async () => {
    const { peer, channel } = answerer();
    const events = eventsUntilClose(peer);
    channel.onclose!();
    expect(await events).to.include('close');
    expect(peer.destroyed).to.equal(true);
  });

  it('names its data channel with random hex as the initiator', () => {
    const labels: string[] = [];
    class Initiating extends FakePeerConnection {
      createDataChannel(label: string) {
        labels.push(label);
        return { ...fakeChannel(), label };
      }
    }
    const peers = [1, 2].map(() => new SimplePeer({ initiator: true, objectMode: true, wrtc: { RTCPeerConnection: Initiating } }));
    expect(labels).to.have.length(2);
    for (const label of labels) expect(label).to.match(/^[0-9a-f]{40}$/);
    expect(labels[0]).not.to.equal(labels[1]);
    peers.forEach((p) => p.destroy());
  });
});

describe('stream shim (widgets/src/session-room/stream-shim.ts)', () => {
  it('runs a once listener once, and removeListener takes it off by the function given', () => {
    const emitter = new EventEmitter();
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    emitter.once('x', a).on('x', b);
    emitter.emit('x');
    emitter.emit('x');
    emitter.once('y', a).removeListener('y', a);
    expect(emitter.emit('y')).to.equal(false);
    expect(calls).to.deep.equal(['a', 'b', 'b']);
    expect(emitter.listenerCount('x')).to.equal(1);
  });

  it('throws an error event nobody listens to, as Node does', () => {
    expect(() => new EventEmitter().emit('error', new Error('boom'))).to.throw('boom');
  });

  it('ends the readable side once, emits finish once, and hands writes to _write', async () => {
    const written: unknown[] = [];
    const stream = new (class extends Duplex {
      override _write(chunk: unknown, _encoding: string, callback: (error?: Error | null) => void) {
        written.push(chunk);
        callback();
      }
    })();
    const events: string[] = [];
    for (const e of ['data', 'end', 'finish']) stream.on(e, (chunk?: unknown) => events.push(chunk === undefined ? e : `${e}:${String(chunk)}`));
    stream.push('a');
    stream.push(null);
    stream.push(null);
    expect(stream.push('late')).to.equal(false);
    let done = false;
    stream.write('w', () => (done = true));
    stream.end();
    stream.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).to.deep.equal(['data:a', 'end', 'finish']);
    expect(written).to.deep.equal(['w']);
    expect(done).to.equal(true);
    expect(stream._readableState.ended && stream._writableState.finished).to.equal(true);
  });
});

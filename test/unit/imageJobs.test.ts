import { expect } from 'chai';
import { ApiError } from '../../src/errors.ts';
import { ImageJobs } from '../../src/lib/imageJobs.ts';

/** A job that runs until the test releases it, recording how many jobs run at once. */
function harness(jobs: ImageJobs) {
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const started: number[] = [];
  const start = (owner: number, id: number) =>
    jobs.run(owner, async () => {
      running++;
      peak = Math.max(peak, running);
      started.push(id);
      await new Promise<void>((resolve) => releases.push(resolve));
      running--;
      return id;
    });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return { start, releases, started, tick, peak: () => peak };
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('ImageJobs', () => {
  it('runs at most `concurrency` jobs at once, the rest in arrival order', async () => {
    const jobs = new ImageJobs({ concurrency: 2, perOwner: 0, queueMax: 10 });
    const h = harness(jobs);
    const results = [1, 2, 3, 4, 5].map((id) => h.start(id, id));
    await h.tick();
    expect(h.started).to.deep.equal([1, 2]);
    expect(jobs.load).to.deep.equal({ running: 2, waiting: 3 });
    while (h.started.length < 5 || h.releases.length) {
      h.releases.shift()?.();
      await h.tick();
    }
    expect(await Promise.all(results)).to.deep.equal([1, 2, 3, 4, 5]);
    expect(h.started).to.deep.equal([1, 2, 3, 4, 5]);
    expect(h.peak()).to.equal(2);
    expect(jobs.load).to.deep.equal({ running: 0, waiting: 0 });
  });

  it('refuses a second job of the same owner with 429 while the first is running or waiting', async () => {
    const jobs = new ImageJobs({ concurrency: 1, perOwner: 1, queueMax: 10 });
    const h = harness(jobs);
    const first = h.start(7, 1);
    const other = h.start(8, 2); // waits behind the first
    const err = await refusal(h.start(7, 3));
    expect(err.status).to.equal(429);
    expect(err.code).to.equal('rate_limited');
    expect(err.headers?.['Retry-After']).to.equal('1');
    expect((await refusal(h.start(8, 4))).status, 'a waiting job counts too').to.equal(429);
    await h.tick();
    h.releases.shift()!();
    expect(await first).to.equal(1);
    const again = h.start(7, 5); // the owner's job is done: accepted again
    await h.tick();
    h.releases.shift()!();
    await h.tick();
    h.releases.shift()!();
    expect(await Promise.all([other, again])).to.deep.equal([2, 5]);
  });

  it('refuses with 429 once the queue is full, and frees the slot of a failed job', async () => {
    const jobs = new ImageJobs({ concurrency: 1, perOwner: 0, queueMax: 1 });
    const failing = jobs.run(1, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('decode failed');
    });
    const waiting = jobs.run(2, async () => 'ok');
    const full = await refusal(jobs.run(3, async () => 'never'));
    expect(full.status).to.equal(429);
    expect(Number(full.headers?.['Retry-After'])).to.be.at.least(1);
    await refusal(failing);
    expect(await waiting).to.equal('ok');
    expect(jobs.load).to.deep.equal({ running: 0, waiting: 0 });
    expect(await jobs.run(1, async () => 'again')).to.equal('again');
  });

  it('admits an upload before its body is read only within the owner and queue bounds', async () => {
    const jobs = new ImageJobs({ concurrency: 1, perOwner: 1, queueMax: 1 });
    const release = jobs.admit(7);
    expect(jobs.admitted(7)).to.equal(1);
    const mine = (() => {
      try {
        jobs.admit(7);
      } catch (err) {
        return err as { status: number };
      }
      throw new Error('expected a refusal');
    })();
    expect(mine.status).to.equal(429);
    const other = jobs.admit(8); // another owner is admitted
    release();
    release(); // a second call changes nothing
    expect(jobs.admitted(7)).to.equal(0);
    other();
    // With the queue full, nobody is admitted until a slot frees.
    const h = harness(jobs);
    const running = h.start(1, 1);
    const waiting = h.start(2, 2);
    await h.tick();
    expect(() => jobs.admit(9)).to.throw().with.property('status', 429);
    h.releases.shift()!();
    await running;
    await h.tick();
    h.releases.shift()!();
    await waiting;
    jobs.admit(9)();
  });

  it('0 switches the bounds off', async () => {
    const jobs = new ImageJobs({ concurrency: 0, perOwner: 0, queueMax: 0 });
    const h = harness(jobs);
    const all = Array.from({ length: 20 }, (_, i) => h.start(1, i));
    await h.tick();
    expect(h.peak()).to.equal(20);
    h.releases.forEach((r) => r());
    expect(await Promise.all(all)).to.have.length(20);
  });
});

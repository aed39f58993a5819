/**
 * Picture uploads cannot take the server's threads: a canvas over IMAGE_MAX_PIXELS is refused
 * before it is decoded, and a burst of uploads by one user runs one at a time (the others are
 * refused with 429 and Retry-After) while the process runs at most IMAGE_CONCURRENCY image jobs.
 * The effect on other users' latency is measured in bench/upload-starvation.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { User } from '../../src/models/index.ts';
import { pngImage } from '../fixtures/images.ts';
import { buildLearner, tokenFor } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';

function pictureForm(data: Buffer): FormData {
  const form = new FormData();
  form.append('picture', new Blob([new Uint8Array(data)], { type: 'image/png' }), 'p.png');
  return form;
}

describe('upload limits', function () {
  this.timeout(120000);
  let server: TestServer;
  let uploadTmp: string;
  let previousTmp: string | undefined;
  /** 6000×6000 (36 MP) in a file of a few hundred KB: what a decompression-bomb-ish upload looks like. */
  let huge: Buffer;
  /** 5000×4000 (20 MP): accepted, and long enough to decode that parallel uploads overlap. */
  let large: Buffer;

  before(async () => {
    server = await getTestServer({ IMAGE_CONCURRENCY: '2', IMAGE_USER_CONCURRENCY: '1', IMAGE_QUEUE_MAX: '16' });
    uploadTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'md-uploads-'));
    previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = uploadTmp;
    [huge, large] = await Promise.all([pngImage(6000, 6000), pngImage(5000, 4000)]);
  });
  after(async () => {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    fs.rmSync(uploadTmp, { recursive: true, force: true });
    await server.close();
  });

  const upload = (user: User, data: Buffer) => server.api.patch('/api/profile/', pictureForm(data), { token: tokenFor(server, user) });

  it('refuses a 6000×6000 PNG (over the default 25 MP) with 400 image_too_large naming the field', async () => {
    const user = await buildLearner(server.db);
    expect(huge.length).to.be.below(server.config.uploadMaxBytes);
    const res = await upload(user, huge);
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body.code).to.equal('image_too_large');
    expect(res.body.errors).to.deep.equal([{ in: 'body', path: 'picture', message: 'must have at most 25000000 pixels (width × height)' }]);
    expect((await User.query(server.db).findById(user.id))!.avatar).to.equal(null);
  });

  it('accepts a 20 MP picture', async () => {
    const res = await upload(await buildLearner(server.db), large);
    expect(res.status).to.equal(200);
    expect(res.body.avatar).to.match(/^\/media\/avatars\//);
  });

  it('takes the pixel limit from IMAGE_MAX_PIXELS', async () => {
    const small = await getTestServer({ IMAGE_MAX_PIXELS: '10000' });
    try {
      const user = await buildLearner(small.db);
      const form = (w: number, h: number) => pngImage(w, h).then(pictureForm);
      const token = tokenFor(small, user);
      expect((await small.api.patch('/api/profile/', await form(100, 100), { token })).status).to.equal(200);
      const refused = await small.api.patch('/api/profile/', await form(101, 100), { token });
      expect(refused.status).to.equal(400);
      expect(refused.body.errors[0].path).to.equal('picture');
    } finally {
      await small.close();
    }
  });

  it('10 parallel uploads by one user: one at a time, the others 429 with Retry-After, nothing half-done', async () => {
    const user = await buildLearner(server.db);
    const answers = await Promise.all(Array.from({ length: 10 }, () => upload(user, large)));
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok.length + limited.length, JSON.stringify(answers.map((a) => a.status))).to.equal(10);
    expect(ok.length).to.be.at.least(1);
    expect(limited.length).to.be.at.least(1);
    for (const res of limited) {
      expect(res.body.code).to.equal('rate_limited');
      expect(Number(res.headers.get('retry-after'))).to.be.at.least(1);
    }
    const stored = (await User.query(server.db).findById(user.id))!.avatar;
    expect(ok.map((a) => a.body.avatar.slice('/media/'.length))).to.include(stored);
    // Only the stored picture is left on disk: every other re-encoding was replaced and removed.
    const avatars = fs.readdirSync(path.join(server.config.mediaRoot, 'avatars'));
    for (const res of ok) {
      const name = path.basename(res.body.avatar);
      expect(avatars.includes(name)).to.equal(`avatars/${name}` === stored);
    }
  });

  it('refuses a second upload of the same user with 429 before reading its body', async () => {
    const user = await buildLearner(server.db);
    const jobs = server.bundle.deps.imageJobs;
    const boundary = 'md-boundary';
    // Starts a multipart PATCH whose body never finishes: only the first part's head is sent.
    const start = () => {
      const req = http.request(new URL('/api/profile/', server.url), {
        method: 'PATCH',
        headers: {
          authorization: `Bearer ${tokenFor(server, user)}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(1024 * 1024),
        },
      });
      req.on('error', () => {});
      req.write(`--${boundary}\r\nContent-Disposition: form-data; name="picture"; filename="p.png"\r\nContent-Type: image/png\r\n\r\n`);
      const answer = new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
      return { req, answer };
    };
    const first = start();
    try {
      while (jobs.admitted(user.id) === 0) await new Promise((resolve) => setImmediate(resolve));
      const second = start();
      // Answered although most of its body was never sent: the server did not wait to read it.
      const res = await second.answer;
      second.req.destroy();
      expect(res.statusCode).to.equal(429);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(Number(res.headers['retry-after'])).to.be.at.least(1);
      res.resume();
    } finally {
      first.req.destroy();
    }
    // The unfinished first upload is let go once its connection closes; the next one is accepted.
    while (jobs.admitted(user.id) > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await upload(user, large)).status).to.equal(200);
  });

  it('uploads by many users at once never run more than IMAGE_CONCURRENCY image jobs', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, () => buildLearner(server.db)));
    const jobs = server.bundle.deps.imageJobs;
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, jobs.load.running)), 5);
    try {
      const answers = await Promise.all(users.map((u) => upload(u, large)));
      expect(answers.map((a) => a.status)).to.deep.equal(Array(6).fill(200));
    } finally {
      clearInterval(sample);
    }
    expect(peak).to.be.within(1, 2);
  });
});

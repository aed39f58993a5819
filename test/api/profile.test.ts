import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sharp from 'sharp';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { buildLearner, buildMentor, buildSession, tokenFor } from '../helpers/factories.ts';
import {
  gifJsPolyglot,
  hasGpsDirectory,
  htmlPage,
  jpegWithExif,
  oversized,
  pngClaimingHugeCanvas,
  pngImage,
  pngMagicThenGarbage,
  svgImage,
  webpImage,
} from '../fixtures/images.ts';
import { User } from '../../src/models/index.ts';

const fieldsOf = (body: { errors?: Array<{ path: string }> }) => (body.errors ?? []).map((e) => e.path);

function form(fields: Record<string, string>, file?: { data: Buffer; name: string; type: string; field?: string }): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  if (file) data.append(file.field ?? 'picture', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  return data;
}

/** Every file below `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('profile', () => {
  let server: TestServer;
  let uploadTmp: string;
  let previousTmp: string | undefined;
  const token = (u: User) => tokenFor(server, u);
  const reload = async (u: User) => (await User.query(server.db).findById(u.id))!;

  before(async () => {
    server = await getTestServer();
    // The multipart parser writes uploads to os.tmpdir(); a private one makes "nothing left
    // behind" checkable without racing other processes on the shared /tmp.
    uploadTmp = fs.mkdtempSync(path.join(os.tmpdir(), 'md-uploads-'));
    previousTmp = process.env.TMPDIR;
    process.env.TMPDIR = uploadTmp;
    expect(os.tmpdir()).to.equal(uploadTmp);
  });
  after(async () => {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    fs.rmSync(uploadTmp, { recursive: true, force: true });
    await server.close();
  });

  const media = () => server.config.mediaRoot;
  const avatarFile = (avatarUrl: string) => path.join(media(), avatarUrl.replace(/^\/media\//, ''));

  describe('GET /api/profile/', () => {
    it("answers the caller's own profile without secrets", async () => {
      const user = await buildMentor(server.db, { bio: 'Hello', expertise: ['Go'], hourly_rate_cents: 4900 });
      const res = await server.api.get('/api/profile/', { token: token(user) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: user.id, username: user.username, email: user.email, bio: 'Hello', hourly_rate: '49.00', avatar: null });
      expect(res.text).not.to.match(/password|scrypt/);
    });

    it('needs a token', async () => {
      expect((await server.api.get('/api/profile/')).status).to.equal(401);
    });
  });

  describe('PUT /api/profile/ (JSON)', () => {
    const full = (over: Record<string, unknown> = {}) => ({
      first_name: 'Ada',
      last_name: 'Lovelace',
      bio: 'Analytical engines',
      expertise: ['Mathematics', 'Engines'],
      timezone: 'Europe/London',
      hourly_rate: '80.5',
      ...over,
    });

    it('replaces the writable fields', async () => {
      const user = await buildMentor(server.db);
      const res = await server.api.put('/api/profile/', full({ currency: 'GBP' }), { token: token(user) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ first_name: 'Ada', last_name: 'Lovelace', timezone: 'Europe/London', hourly_rate: '80.50', currency: 'GBP' });
      expect(res.body.expertise).to.deep.equal(['Mathematics', 'Engines']);
      expect((await reload(user)).hourly_rate_cents).to.equal(8050);
    });

    it('refuses a missing required field and an unknown timezone, naming them', async () => {
      const user = await buildMentor(server.db);
      const { bio: _omit, ...noBio } = full();
      const missing = await server.api.put('/api/profile/', noBio, { token: token(user) });
      expect(missing.status).to.equal(400);
      expect(fieldsOf(missing.body)).to.deep.equal(['bio']);
      const zone = await server.api.put('/api/profile/', full({ timezone: 'Mars/Olympus_Mons' }), { token: token(user) });
      expect(zone.status).to.equal(400);
      expect(fieldsOf(zone.body)).to.deep.equal(['timezone']);
      expect((await reload(user)).first_name).to.equal('Test');
    });
  });

  describe('PATCH /api/profile/ (JSON)', () => {
    it('changes only the given fields; null clears the hourly rate', async () => {
      const user = await buildMentor(server.db, { bio: 'keep me', hourly_rate_cents: 5000 });
      const res = await server.api.patch('/api/profile/', { first_name: 'Grace', hourly_rate: null }, { token: token(user) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ first_name: 'Grace', bio: 'keep me', hourly_rate: null });
    });

    it('refuses an empty body', async () => {
      const user = await buildLearner(server.db);
      const res = await server.api.patch('/api/profile/', {}, { token: token(user) });
      expect(res.status).to.equal(400);
    });

    for (const [field, value] of [
      ['is_admin', true],
      ['role', 'mentor'],
      ['username', 'root'],
      ['password', 'a-new-password-123'],
      ['is_active', true],
      ['avatar', '/media/avatars/xxxxxxxxxxxxxxxxxxxx.webp'],
    ] as const) {
      it(`refuses to mass-assign ${field} (400 naming it) and changes nothing`, async () => {
        const user = await buildLearner(server.db);
        const before = await reload(user);
        const res = await server.api.patch('/api/profile/', { first_name: 'Mallory', [field]: value }, { token: token(user) });
        expect(res.status).to.equal(400);
        expect(fieldsOf(res.body)).to.deep.equal([field]);
        expect(await reload(user)).to.deep.equal(before);
      });
    }

    it('refuses duplicate expertise tags and a malformed rate', async () => {
      const user = await buildMentor(server.db);
      const dup = await server.api.patch('/api/profile/', { expertise: ['Go', 'Go'] }, { token: token(user) });
      expect(fieldsOf(dup.body)).to.deep.equal(['expertise']);
      const rate = await server.api.patch('/api/profile/', { hourly_rate: '-5' }, { token: token(user) });
      expect(fieldsOf(rate.body)).to.include('hourly_rate');
    });

    it("refuses another account's email in any case (409 naming email); one's own in another case is fine", async () => {
      const other = await buildLearner(server.db, { email: 'Taken.Person@example.test' });
      const user = await buildLearner(server.db, { email: 'me@example.test' });
      const taken = await server.api.patch('/api/profile/', { email: 'taken.person@EXAMPLE.test' }, { token: token(user) });
      expect(taken.status).to.equal(409);
      expect(fieldsOf(taken.body)).to.deep.equal(['email']);
      expect((await reload(user)).email).to.equal('me@example.test');
      expect(other.id).to.be.a('number');
      const own = await server.api.patch('/api/profile/', { email: 'ME@example.test' }, { token: token(user) });
      expect(own.status).to.equal(200);
      expect(own.body.email).to.equal('ME@example.test');
    });

    describe('currency', () => {
      it('changes while the mentor has no priced session and no payout', async () => {
        const user = await buildMentor(server.db);
        await buildSession(server.db, { mentor_id: user.id, price_cents: null });
        const res = await server.api.patch('/api/profile/', { currency: 'EUR' }, { token: token(user) });
        expect(res.status).to.equal(200);
        expect(res.body.currency).to.equal('EUR');
      });

      it('is locked (409 naming currency, with the reason) once a session has a price', async () => {
        const user = await buildMentor(server.db);
        await buildSession(server.db, { mentor_id: user.id, price_cents: 4900 });
        const res = await server.api.patch('/api/profile/', { currency: 'EUR', bio: 'new' }, { token: token(user) });
        expect(res.status).to.equal(409);
        expect(res.body.code).to.equal('currency_locked');
        expect(fieldsOf(res.body)).to.deep.equal(['currency']);
        expect(res.body.detail).to.include('1 priced session').and.include('USD').and.include('EUR');
        const row = await reload(user);
        expect([row.currency, row.bio]).to.deep.equal(['USD', '']);
      });

      it('is locked once a payout exists; resending the same currency is not a change', async () => {
        const user = await buildMentor(server.db);
        await server.db('payouts').insert({
          mentor_id: user.id,
          amount_cents: 1000,
          currency: 'USD',
          status: 'rejected',
          requested_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
        });
        const res = await server.api.patch('/api/profile/', { currency: 'EUR' }, { token: token(user) });
        expect(res.status).to.equal(409);
        expect(res.body.detail).to.include('1 payout');
        expect((await server.api.patch('/api/profile/', { currency: 'USD' }, { token: token(user) })).status).to.equal(200);
      });
    });
  });

  describe('multipart form fields', () => {
    it('splits expertise on commas and clears the rate with an empty value', async () => {
      const user = await buildMentor(server.db, { hourly_rate_cents: 3000 });
      const res = await server.api.patch('/api/profile/', form({ expertise: ' TypeScript, System design, ,', hourly_rate: '', bio: 'Form bio' }), {
        token: token(user),
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ hourly_rate: null, bio: 'Form bio' });
      expect(res.body.expertise).to.deep.equal(['TypeScript', 'System design']);
    });

    it('replaces the whole profile with PUT', async () => {
      const user = await buildMentor(server.db);
      const res = await server.api.put(
        '/api/profile/',
        form({ first_name: 'F', last_name: 'L', bio: 'B', expertise: '', timezone: 'Asia/Tokyo', hourly_rate: '12' }),
        { token: token(user) },
      );
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ first_name: 'F', timezone: 'Asia/Tokyo', hourly_rate: '12.00' });
      expect(res.body.expertise).to.deep.equal([]);
    });

    const refused: Array<[string, Record<string, string>, string]> = [
      ['mass assignment of is_admin', { is_admin: 'true' }, 'is_admin'],
      ['mass assignment of role', { role: 'mentor' }, 'role'],
      ['a repeated expertise tag', { expertise: 'Go, Go' }, 'expertise'],
      ['21 expertise tags', { expertise: Array.from({ length: 21 }, (_, i) => `t${i}`).join(',') }, 'expertise'],
      ['an unknown timezone', { timezone: 'Nowhere/Special' }, 'timezone'],
      ['a malformed rate', { hourly_rate: '1.234' }, 'hourly_rate'],
      ['a picture sent as text', { picture: 'not a file' }, 'picture'],
    ];
    for (const [what, fields, field] of refused) {
      it(`refuses ${what} (400 naming ${field})`, async () => {
        const user = await buildLearner(server.db);
        const before = await reload(user);
        const res = await server.api.patch('/api/profile/', form(fields), { token: token(user) });
        expect(res.status).to.equal(400);
        expect(fieldsOf(res.body)).to.deep.equal([field]);
        expect(await reload(user)).to.deep.equal(before);
      });
    }

    it('refuses a JSON body carrying a picture and another body type', async () => {
      const user = await buildLearner(server.db);
      const json = await server.api.patch('/api/profile/', { picture: 'aGVsbG8=' }, { token: token(user) });
      expect(json.status).to.equal(400);
      expect(fieldsOf(json.body)).to.deep.equal(['picture']);
      const text = await server.api.patch('/api/profile/', 'first_name=x', {
        token: token(user),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(text.status).to.equal(415);
    });
  });

  describe('picture upload', () => {
    afterEach(() => {
      // Whatever happened, no upload may linger in the temp folder.
      expect(filesUnder(uploadTmp)).to.deep.equal([]);
    });

    async function upload(user: User, data: Buffer, name: string, type: string, fields: Record<string, string> = {}) {
      return server.api.patch('/api/profile/', form(fields, { data, name, type }), { token: token(user) });
    }

    it('accepts a PNG named .jpg and sent as image/jpeg (content decides), stores a WebP and serves it with nosniff', async () => {
      const user = await buildLearner(server.db);
      const res = await upload(user, await pngImage(64, 48), 'holiday.jpg', 'image/jpeg');
      expect(res.status).to.equal(200);
      expect(res.body.avatar).to.match(/^\/media\/avatars\/[A-Za-z0-9_-]{22,}\.webp$/);
      expect((await reload(user)).avatar).to.equal(res.body.avatar.slice('/media/'.length));
      const stored = await sharp(avatarFile(res.body.avatar)).metadata();
      expect(stored).to.include({ format: 'webp', width: 64, height: 48 });

      const served = await fetch(server.url + res.body.avatar);
      expect(served.status).to.equal(200);
      expect(served.headers.get('content-type')).to.equal('image/webp');
      expect(served.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(Buffer.from(await served.arrayBuffer()).subarray(8, 12).toString()).to.equal('WEBP');
    });

    it('strips EXIF (GPS included), turns the picture upright and fits it within 512×512', async () => {
      const user = await buildLearner(server.db);
      const input = await sharp(await jpegWithExif(1200, 600)).metadata();
      expect(hasGpsDirectory(input.exif!)).to.equal(true);
      expect(input.orientation).to.equal(6);

      const res = await upload(user, await jpegWithExif(1200, 600), 'me.jpg', 'image/jpeg');
      expect(res.status).to.equal(200);
      const file = avatarFile(res.body.avatar);
      const stored = await sharp(file).metadata();
      expect(stored.exif).to.equal(undefined);
      expect(stored.orientation).to.equal(undefined);
      // 1200×600 rotated by 90° is 600×1200, fitted within 512×512: 256×512.
      expect([stored.width, stored.height]).to.deep.equal([256, 512]);
      expect(fs.readFileSync(file).includes('TestCam')).to.equal(false);
    });

    it('accepts WebP, counts a lone picture as a PATCH and deletes the replaced file', async () => {
      const user = await buildLearner(server.db);
      const first = await upload(user, await pngImage(), 'a.png', 'image/png');
      const second = await upload(user, await webpImage(), 'b.webp', 'image/webp');
      expect(second.status).to.equal(200);
      expect(second.body.avatar).not.to.equal(first.body.avatar);
      expect(fs.existsSync(avatarFile(first.body.avatar))).to.equal(false);
      expect(fs.existsSync(avatarFile(second.body.avatar))).to.equal(true);
    });

    it('re-encodes a valid PNG carrying a script after its end: what is stored is our own image only', async () => {
      const user = await buildLearner(server.db);
      const payload = Buffer.concat([await pngImage(), Buffer.from('<script>alert(document.cookie)</script>')]);
      const res = await upload(user, payload, 'x.png', 'image/png');
      expect(res.status).to.equal(200);
      expect(fs.readFileSync(avatarFile(res.body.avatar)).includes('<script>')).to.equal(false);
    });

    it('sets fields and the picture together', async () => {
      const user = await buildLearner(server.db);
      const res = await upload(user, await pngImage(), 'p.png', 'image/png', { first_name: 'Pic', timezone: 'Europe/Paris' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ first_name: 'Pic', timezone: 'Europe/Paris' });
      expect(res.body.avatar).to.be.a('string');
    });

    it('ignores the client file name: "../../evil.png" is stored under a random name inside MEDIA_ROOT', async () => {
      const user = await buildLearner(server.db);
      const res = await upload(user, await pngImage(), '../../evil.png', 'image/png');
      expect(res.status).to.equal(200);
      expect(res.body.avatar).not.to.include('evil');
      for (const dir of [server.dataDir, uploadTmp]) {
        expect(filesUnder(dir).filter((f) => f.includes('evil'))).to.deep.equal([]);
        expect(fs.existsSync(path.resolve(dir, 'evil.png'))).to.equal(false);
      }
      expect(fs.existsSync(path.resolve(media(), 'avatars', '../../evil.png'))).to.equal(false);
    });

    const hostile: Array<[string, () => Promise<Buffer> | Buffer, string, string, number]> = [
      ['an SVG', svgImage, 'x.svg', 'image/svg+xml', 415],
      ['an SVG claiming to be a PNG', svgImage, 'x.png', 'image/png', 415],
      ['an HTML page', htmlPage, 'index.html', 'text/html', 415],
      ['an HTML page named ../../evil.png', htmlPage, '../../evil.png', 'image/png', 415],
      ['a GIF/JS polyglot', gifJsPolyglot, 'x.gif', 'image/gif', 415],
      ['PNG magic bytes followed by garbage', pngMagicThenGarbage, 'x.png', 'image/png', 400],
      ['a PNG claiming a 30000×30000 canvas', pngClaimingHugeCanvas, 'bomb.png', 'image/png', 400],
      ['a 3 MB file', () => oversized(3 * 1024 * 1024), 'big.png', 'image/png', 413],
      ['an empty file', () => Buffer.alloc(0), 'empty.png', 'image/png', 400],
    ];
    for (const [what, make, name, type, status] of hostile) {
      it(`refuses ${what} with ${status} and leaves no file behind`, async () => {
        const user = await buildLearner(server.db);
        const kept = await upload(user, await pngImage(), 'keep.png', 'image/png');
        const mediaBefore = filesUnder(media());
        const res = await upload(user, await make(), name, type, { bio: 'must not be saved' });
        expect(res.status).to.equal(status);
        expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
        if (status !== 413) expect(fieldsOf(res.body)).to.deep.equal(['picture']);
        expect(filesUnder(media())).to.deep.equal(mediaBefore);
        const row = await reload(user);
        expect([row.avatar, row.bio]).to.deep.equal([kept.body.avatar.slice('/media/'.length), '']);
      });
    }

    it('refuses a file under another field name (400 naming it) and a second file (413)', async () => {
      const user = await buildLearner(server.db);
      const png = await pngImage();
      const mediaBefore = filesUnder(media());
      const wrongField = await server.api.patch('/api/profile/', form({}, { data: png, name: 'a.png', type: 'image/png', field: 'avatar' }), {
        token: token(user),
      });
      expect(wrongField.status).to.equal(400);
      expect(fieldsOf(wrongField.body)).to.deep.equal(['avatar']);

      const two = form({}, { data: png, name: 'a.png', type: 'image/png' });
      two.append('picture', new Blob([new Uint8Array(png)], { type: 'image/png' }), 'b.png');
      const twoFiles = await server.api.patch('/api/profile/', two, { token: token(user) });
      expect(twoFiles.status).to.equal(413);
      expect((await reload(user)).avatar).to.equal(null);
      expect(filesUnder(media())).to.deep.equal(mediaBefore);
    });

    it('removes the new file when the rest of the update is refused', async () => {
      const other = await buildLearner(server.db);
      const user = await buildLearner(server.db);
      const mediaBefore = filesUnder(media());
      const res = await upload(user, await pngImage(), 'p.png', 'image/png', { email: other.email });
      expect(res.status).to.equal(409);
      expect(filesUnder(media())).to.deep.equal(mediaBefore);
      expect((await reload(user)).avatar).to.equal(null);
    });
  });
});

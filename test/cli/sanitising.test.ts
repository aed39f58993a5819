/**
 * Text from the API cannot drive the admin's terminal: every human-readable line `mentorctl`
 * prints is stripped of escape sequences, control characters and bidi overrides, while `--json`
 * keeps the values exactly as the API sent them.
 */
import { expect } from 'chai';
import { terminalSafe } from '../../cli/lib/output.ts';
import { Payout } from '../../src/models/index.ts';
import { buildAdmin, buildMentor, buildSession, PASSWORD } from '../helpers/factories.ts';
import { getTestServer, type TestServer } from '../helpers/server.ts';
import { CliSandbox } from './helpers.ts';

/** Anything a terminal would act on rather than print. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  const cases: Array<[string, string, string]> = [
    ['cursor moves (CSI)', '\u001b[55D 3.00 USD\u001b[46C', ' 3.00 USD'],
    ['colours and erase-line', '\u001b[31;1mred\u001b[0m\u001b[2K', 'red'],
    ['an OSC 8 hyperlink, BEL- or ST-terminated', '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u001b\\ here', 'click here'],
    ['a window-title OSC', '\u001b]0;pwned\u0007title', 'title'],
    ['an unterminated OSC', 'a\u001b]8;;https://evil.example', 'a'],
    ['a DCS string', 'x\u001bP1$r0m\u001b\\y', 'xy'],
    ['single-byte C1 CSI and OSC', 'a\u009b2Jb\u009d0;t\u009cc', 'abc'],
    ['two-character ESC forms (reset, save cursor)', 'a\u001bcb\u001b7c', 'abc'],
    ['carriage return, backspace and bell', 'safe\rEVIL\b\u0007', 'safe EVIL'],
    ['bidi overrides and isolates', 'invoice\u202egpj.exe\u202c \u2066x\u2069\u200f', 'invoicegpj.exe x'],
    ['line breaks and tabs (one value, one line)', 'a\nb\tc\u2028d', 'a b c d'],
  ];
  for (const [what, input, expected] of cases) {
    it(`removes ${what}`, () => {
      expect(terminalSafe(input)).to.equal(expected);
      expect(terminalSafe(input)).not.to.match(CONTROL);
    });
  }

  it('keeps ordinary text, accents and emoji as they are', () => {
    expect(terminalSafe('Zoë’s “Intro” 🎉 — 49.00 € · عربى')).to.equal('Zoë’s “Intro” 🎉 — 49.00 € · عربى');
  });
});

describe('mentorctl: values from the API are printed terminal-safe', function () {
  this.timeout(60000);
  let server: TestServer;
  let cli: CliSandbox;

  before(async () => {
    server = await getTestServer();
    cli = await CliSandbox.create();
    await buildAdmin(server.db, { username: 'root' });
    await cli.ok(['login', '--url', server.url, '--username', 'root', '--password', PASSWORD]);
  });
  after(async () => {
    await server.close();
    await cli.cleanup();
  });

  it('a payout note cannot move the cursor over the amount; --json keeps the note', async () => {
    const mentor = await buildMentor(server.db);
    const note = '\u001b[55D 3.00 USD\u001b[46C';
    const payout = await Payout.query(server.db).insertAndFetch({ mentor_id: mentor.id, amount_cents: 3_000, status: 'pending', note });

    const table = await cli.ok(['payouts', 'list', '--mentor', String(mentor.id)]);
    expect(table.stdout).not.to.match(CONTROL);
    const row = table.stdout.split('\n').find((line) => line.trimStart().startsWith(`${payout.id} `))!;
    expect(row).to.match(/\s30\.00 USD\s+pending\s.*\s3\.00 USD$/);

    const json = await cli.json(['payouts', 'list', '--mentor', String(mentor.id)]);
    expect(json[0].note).to.equal(note);
  });

  it('a session title with a right-to-left override is shown without it', async () => {
    const mentor = await buildMentor(server.db, { username: 'mentor_rtl' });
    const title = 'Intro \u202eusd 00.1\u202c';
    await buildSession(server.db, { mentor_id: mentor.id, title });
    const table = await cli.ok(['sessions', 'list', '--mentor', String(mentor.id)]);
    expect(table.stdout).not.to.match(CONTROL);
    expect(table.stdout).to.include('Intro usd 00.1');
    const json = await cli.json(['sessions', 'list', '--mentor', String(mentor.id)]);
    expect(json[0].title).to.equal(title);
  });

  it('an OSC 8 hyperlink in a name is shown as its text only, in tables and in `users show`', async () => {
    const first = '\u001b]8;;https://evil.example/\u001b\\Support\u001b]8;;\u001b\\';
    const mentor = await buildMentor(server.db, { username: 'mentor_osc', first_name: first, last_name: 'Desk' });
    const table = await cli.ok(['users', 'list', '--role', 'mentor']);
    expect(table.stdout).not.to.match(CONTROL);
    expect(table.stdout).not.to.include('evil.example');
    expect(table.stdout).to.match(/mentor_osc\s+Support Desk/);
    const shown = await cli.ok(['users', 'show', String(mentor.id)]);
    expect(shown.stdout).not.to.match(CONTROL);
    expect(shown.stdout).to.include('Support Desk');
    const json = await cli.json(['users', 'show', String(mentor.id)]);
    expect(json.first_name).to.equal(first);
  });
});

/**
 * mentorctl on a real terminal (a tmux pseudo-terminal): prompts, hidden passwords, confirmation
 * of destructive actions, Ctrl-C, the spinner and colours (and NO_COLOR).
 */
import { expect } from 'chai';
import type { Knex } from 'knex';
import { verifyPassword } from '../../src/auth/passwords.ts';
import { createKnex } from '../../src/db/knex.ts';
import { User } from '../../src/models/index.ts';
import { CliSandbox } from './helpers.ts';
import { Terminal } from './terminal.ts';

const SGR_COLOUR = /\x1b\[[0-9;]*m/;

describe('mentorctl on a terminal', function () {
  this.timeout(60000);
  let cli: CliSandbox;
  let db: Knex;
  const terminals: Terminal[] = [];

  async function open(args: string[], extra: Record<string, string> = {}): Promise<Terminal> {
    const term = await Terminal.start(args, cli.processEnv({ TERM: 'xterm-256color', ...extra }));
    terminals.push(term);
    return term;
  }

  before(async () => {
    cli = await CliSandbox.create();
  });
  afterEach(async () => {
    await Promise.all(terminals.splice(0).map((t) => t.close()));
  });
  after(async () => {
    await db?.destroy();
    await cli.cleanup();
  });

  it('shows a spinner while migrating, then the outcome', async () => {
    const term = await open(['db', 'migrate']);
    expect(await term.exitCode()).to.equal(0);
    const out = term.output();
    expect(out).to.include('\x1b[?25l'); // the cursor is hidden while the spinner turns…
    expect(out).to.include('\x1b[?25h'); // …and shown again
    expect(out).to.include('Applying migrations');
    expect(out).to.match(/✔.*Applied \d+ migrations? to /);
    db = createKnex(cli.databaseUrl);
  });

  it('admin create asks for each value, hides the password and asks again after a mismatch', async () => {
    const term = await open(['admin', 'create']);
    await term.waitFor('Username:');
    await term.type('a'); // too short: the prompt says why and stays
    await term.waitFor('must be 3–150 letters');
    await term.type('dmin_tty'); // the rejected "a" is kept in the field: "admin_tty"
    await term.waitFor('Email:');
    await term.type('tty@x.io');
    await term.waitFor('Password (at least 8 characters):');
    await term.type('first-secret-1');
    await term.waitFor('Repeat the password:');
    await term.type('other-secret-2');
    await term.waitFor('The passwords do not match; try again.');
    await term.waitFor('Password (at least 8 characters):', { times: 2 });
    await term.type('short'); // rejected: asked again with an empty field, not appended to
    await term.waitFor('must NOT have fewer than 8 characters');
    // Prompts redraw on every key: wait for the prompt drawn after the error line.
    const promptAfter = async (prompt: string, marker: string) => {
      while (term.output().lastIndexOf(prompt) < term.output().lastIndexOf(marker)) await term.waitFor(prompt, { times: term.output().split(prompt).length });
    };
    await promptAfter('Password (at least 8 characters):', 'must NOT have fewer');
    await term.type('final-secret-3');
    await promptAfter('Repeat the password:', 'must NOT have fewer');
    await term.type('final-secret-3');
    expect(await term.exitCode()).to.equal(0);

    const out = term.output();
    expect(out).to.include('Created admin admin_tty');
    for (const secret of ['first-secret-1', 'other-secret-2', 'final-secret-3']) expect(out).not.to.include(secret);
    const user = await User.query(db).where({ username: 'admin_tty' }).first();
    expect(user).to.include({ email: 'tty@x.io', is_admin: true });
    expect(await verifyPassword('final-secret-3', user!.password_hash!)).to.equal(true);
  });

  it('asks before a destructive action and changes nothing when the answer is no', async () => {
    const term = await open(['db', 'rollback']);
    await term.waitFor('Roll back ');
    await term.type('n');
    expect(await term.exitCode()).to.equal(1);
    expect(term.output()).to.include('Aborted; nothing was changed.');
    expect(await db.schema.hasTable('users')).to.equal(true);
  });

  it('exits 130 on Ctrl-C at a prompt, without a stack trace', async () => {
    const term = await open(['admin', 'create']);
    await term.waitFor('Username:');
    await term.press('C-c');
    expect(await term.exitCode()).to.equal(130);
    const out = term.output();
    expect(out).to.include('Interrupted.');
    expect(out).not.to.match(/ExitPromptError|\bat .*:\d+:\d+/);
  });

  it('uses colours on a terminal, and none with NO_COLOR', async () => {
    const coloured = await open(['db', 'status']);
    expect(await coloured.exitCode()).to.equal(0);
    expect(coloured.output()).to.match(SGR_COLOUR);
    expect(coloured.output()).to.match(/20261124000000_initial.*applied/);

    const plain = await open(['db', 'status'], { NO_COLOR: '1' });
    expect(await plain.exitCode()).to.equal(0);
    expect(plain.output()).to.match(/20261124000000_initial\s+applied/);
    expect(plain.output()).not.to.match(SGR_COLOUR);
  });
});

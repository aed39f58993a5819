/**
 * Drives `mentorctl` in a real pseudo-terminal through tmux (a private server on its own socket).
 * Everything the program writes is recorded byte for byte with `pipe-pane`, so a test can prove a
 * password was never written to the terminal, not merely that it is no longer on the screen.
 * The program starts only once the recording runs (it waits on a FIFO); the shell around it writes
 * its exit status to a file (tmux's own `pane_dead_status` is not reliably filled in), and the pane
 * stays after it exits so the screen can still be read.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI } from './helpers.ts';

const run = promisify(execFile);
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const POLL_MS = 50;

export class Terminal {
  readonly #dir: string;
  readonly #socket: string;
  readonly #log: string;
  readonly #status: string;
  readonly #env: Record<string, string>;

  private constructor(env: Record<string, string>) {
    this.#dir = fs.mkdtempSync(path.join(os.tmpdir(), 'md-tty-'));
    this.#socket = path.join(this.#dir, 'tmux.sock');
    this.#log = path.join(this.#dir, 'output.log');
    this.#status = path.join(this.#dir, 'status');
    this.#env = env;
  }

  /** Starts `mentorctl args…` in an 120×40 terminal with the given environment. */
  static async start(args: readonly string[], env: Record<string, string>): Promise<Terminal> {
    const term = new Terminal(env);
    const gate = path.join(term.#dir, 'gate');
    await run('mkfifo', [gate]);
    const program = [process.execPath, CLI, ...args].map(quote).join(' ');
    const command = `read _ < ${quote(gate)}; ${program}; echo $? > ${quote(term.#status)}`;
    await term.#tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'cli', '-x', '120', '-y', '40', command);
    await term.#tmux('set-option', '-g', 'remain-on-exit', 'on');
    await term.#tmux('pipe-pane', '-t', 'cli', '-o', `cat >> ${quote(term.#log)}`);
    await fs.promises.writeFile(gate, '\n');
    return term;
  }

  async #tmux(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run('tmux', ['-S', this.#socket, ...args], { env: this.#env });
      return stdout;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the terminal tests need tmux: apt-get install tmux');
      throw err;
    }
  }

  /** Everything the program has written so far, raw. */
  output(): string {
    return fs.existsSync(this.#log) ? fs.readFileSync(this.#log, 'utf8') : '';
  }

  /** Waits until the output contains `text` at least `times` times. */
  async waitFor(text: string, { times = 1, timeoutMs = 15000 } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.output().split(text).length - 1 < times) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${JSON.stringify(text)} ×${times}; the terminal shows:\n${await this.screen()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Types text (literally) and presses Enter. */
  async type(text: string): Promise<void> {
    if (text) await this.#tmux('send-keys', '-t', 'cli', '-l', text);
    await this.#tmux('send-keys', '-t', 'cli', 'Enter');
  }

  /** Presses a key by tmux name, e.g. `C-c`. */
  async press(key: string): Promise<void> {
    await this.#tmux('send-keys', '-t', 'cli', key);
  }

  /** What the terminal shows now. */
  screen(): Promise<string> {
    return this.#tmux('capture-pane', '-p', '-t', 'cli');
  }

  /** Waits for the program to exit and returns its exit status (128 + n when killed by signal n). */
  async exitCode(timeoutMs = 15000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(this.#status) || !fs.readFileSync(this.#status, 'utf8').endsWith('\n')) {
      if (Date.now() > deadline) throw new Error(`the program did not exit; the terminal shows:\n${await this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return Number(fs.readFileSync(this.#status, 'utf8').trim());
  }

  async close(): Promise<void> {
    // Fails only when the tmux server is already gone, which is the goal anyway.
    await this.#tmux('kill-server').catch(() => {});
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}

/**
 * The one place that asks the user anything. Every question stands for a flag: when the flag was
 * given its value is used; when it was not and stdin is a terminal the user is asked (inquirer,
 * written to stderr so stdout stays clean); otherwise it is a usage error naming the flag — a
 * script never hangs waiting for an answer nobody will type.
 *
 * Ctrl-C inside a prompt makes inquirer reject with `ExitPromptError`; `cli/main.ts` turns that
 * into exit code 130.
 */
import { confirm, input, password, select } from '@inquirer/prompts';
import { CliError, UsageError } from './errors.ts';
import { paint } from './output.ts';

/** Whether questions can be asked: stdin is a terminal to type into and stderr one to read from. */
function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

const context = () => ({ output: process.stderr });

/** `true`, or the message shown under the prompt. */
export type Check = (value: string) => true | string;

function missing(flag: string): UsageError {
  return new UsageError(`missing ${flag} (stdin is not a terminal, so it cannot be asked for)`);
}

function checkFlag(flag: string, value: string, check?: Check): string {
  const verdict = check?.(value) ?? true;
  if (verdict !== true) throw new UsageError(`${flag}: ${verdict}`);
  return value;
}

export async function askText(opts: { value?: string; flag: string; message: string; check?: Check }): Promise<string> {
  if (opts.value !== undefined) return checkFlag(opts.flag, opts.value, opts.check);
  if (!isInteractive()) throw missing(opts.flag);
  return input({ message: opts.message, validate: opts.check ?? ((v) => v.trim() !== '' || 'required') }, context());
}

/**
 * A password: the flag's value, or typed with nothing echoed. With `confirm`, it is typed twice
 * and a mismatch asks for both again. A rejected password is asked for afresh (an empty field):
 * validated inside the prompt, the hidden rejected text would stay and the retyped one be appended.
 */
export async function askPassword(opts: {
  value?: string;
  flag: string;
  message: string;
  confirm?: boolean;
  check?: Check;
}): Promise<string> {
  if (opts.value !== undefined) return checkFlag(opts.flag, opts.value, opts.check);
  if (!isInteractive()) throw missing(opts.flag);
  for (;;) {
    const first = await password({ message: opts.message }, context());
    const verdict = opts.check ? opts.check(first) : true;
    if (verdict !== true) {
      process.stderr.write(`${paint(process.stderr, 'red', '✖')} ${verdict}\n`);
      continue;
    }
    if (!opts.confirm) return first;
    const second = await password({ message: 'Repeat the password:' }, context());
    if (first === second) return first;
    process.stderr.write(`${paint(process.stderr, 'red', '✖')} The passwords do not match; try again.\n`);
  }
}

export async function askChoice<T extends string>(opts: {
  value?: T;
  flag: string;
  message: string;
  choices: readonly T[];
}): Promise<T> {
  if (opts.value !== undefined) return opts.value;
  if (!isInteractive()) throw missing(opts.flag);
  return select({ message: opts.message, choices: opts.choices.map((value) => ({ value })) }, context());
}

/**
 * Guards a destructive action: `--yes` skips the question; on a terminal the user must answer yes
 * (declining exits 1 with nothing changed); without a terminal `--yes` is required.
 */
export async function confirmOrAbort(opts: { yes?: boolean; message: string }): Promise<void> {
  if (opts.yes) return;
  if (!isInteractive()) {
    throw new UsageError('this action needs confirmation: pass --yes (stdin is not a terminal, so it cannot be asked)');
  }
  const ok = await confirm({ message: opts.message, default: false }, context());
  if (!ok) throw new CliError('Aborted; nothing was changed.');
}

/**
 * Runs the CLI and turns every outcome into an exit code: 0 ok, 1 failure, 2 usage error, 130
 * interrupted. Errors are shown as one `error:` line (plus field errors or a hint), never a stack
 * trace — set MENTORCTL_DEBUG=1 to see the stack of an unexpected error.
 */
import { CommanderError } from 'commander';
import { createProgram } from './program.ts';
import { CliError, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, isProblemLike, problemError } from './lib/errors.ts';
import { paint, terminalSafe } from './lib/output.ts';
import { stopActiveProgress } from './lib/progress.ts';

/** Commander has already printed its message; only the exit code is decided here. */
function commanderExitCode(err: CommanderError): number {
  switch (err.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
      return EXIT_OK;
    case 'commander.help':
      // `mentorctl help` exits 0; a command group run without a subcommand shows help as an error.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    default:
      // Unknown command or option, missing or invalid argument, or our own `cmd.error(…)` calls.
      return EXIT_USAGE;
  }
}

function printError(message: string, details: readonly string[] = []): void {
  const err = process.stderr;
  err.write(`${paint(err, 'red', 'error:')} ${terminalSafe(message)}\n`);
  for (const line of details) err.write(`  ${paint(err, 'dim', '-')} ${terminalSafe(line)}\n`);
}

function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return commanderExitCode(err);
  // Ctrl-C inside an inquirer prompt (raw mode: no SIGINT is raised, the prompt rejects instead).
  if (err instanceof Error && err.name === 'ExitPromptError') {
    process.stderr.write('\nInterrupted.\n');
    return EXIT_INTERRUPTED;
  }
  const known = err instanceof CliError ? err : isProblemLike(err) ? problemError(err) : undefined;
  if (known) {
    printError(known.message, known.details);
    return known.exitCode;
  }
  printError(err instanceof Error ? err.message : String(err));
  if (process.env.MENTORCTL_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT_FAILURE;
}

function onInterrupt(): void {
  stopActiveProgress();
  process.stderr.write('\nInterrupted.\n');
  process.exit(EXIT_INTERRUPTED);
}

/** `mentorctl users list | head`: the reader went away, which is not an error worth a stack trace. */
function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
  stopActiveProgress();
  process.exit(EXIT_OK);
}

export async function main(argv: readonly string[]): Promise<number> {
  process.on('SIGINT', onInterrupt);
  // Kept for the life of the process: a broken pipe is reported asynchronously, after the last write.
  process.stdout.on('error', onStdoutError);
  try {
    await createProgram().parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    return exitCodeFor(err);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/**
 * What can go wrong in a command, and the exit code it means: 1 for a failure (the API or the
 * database said no, the server is unreachable), 2 for a usage error (a missing or contradictory
 * flag), 130 for Ctrl-C. `cli/main.ts` renders every one of them as a short message, never a stack.
 */

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export class CliError extends Error {
  override name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
    /** Further lines shown under the message (field errors, hints). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}

/** The command line was incomplete or contradictory (exit 2). */
export class UsageError extends CliError {
  override name = 'UsageError';

  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}

/** One item of a problem+json `errors` list. */
export interface ProblemFieldError {
  in: string;
  path: string;
  message: string;
}

/** The parts of an RFC 9457 problem document the CLI shows. */
export interface ProblemLike {
  title?: string;
  detail?: string;
  status?: number;
  errors?: readonly ProblemFieldError[];
}

/**
 * An error answered by the API (or raised by a service with the same shape, for the local
 * commands): the title and detail, then one line per offending field. `flags` maps body fields to
 * the flags that set them, so "username: already in use" reads "--username: already in use".
 */
export function problemError(problem: ProblemLike, flags: Readonly<Record<string, string>> = {}): CliError {
  const title = problem.title ?? 'Request failed';
  const status = problem.status ? ` (${problem.status})` : '';
  const fieldErrors = problem.errors ?? [];
  // A validation detail only repeats the field errors listed below it.
  const repeats = fieldErrors.length > 0 && fieldErrors.every((e) => problem.detail?.includes(e.message));
  const detail = problem.detail && problem.detail !== title && !repeats ? `: ${problem.detail}` : '';
  const details = fieldErrors.map((e) => {
    const where = flags[e.path] ?? (e.path ? `${e.in} ${e.path}` : e.in);
    return `${where}: ${e.message}`;
  });
  return new CliError(`${title}${status}${detail}`, EXIT_FAILURE, details);
}

/** Whether an unknown thrown value looks like a problem document (ApiError from src/errors.ts does). */
export function isProblemLike(value: unknown): value is ProblemLike & { title: string } {
  return Boolean(value) && typeof value === 'object' && typeof (value as ProblemLike).title === 'string';
}

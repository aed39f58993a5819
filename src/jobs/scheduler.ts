/**
 * Periodic jobs: session reminders and auto-completion of sessions past their end.
 * (Implemented with the sessions workflow; this module is the seam the server starts.)
 */
import type { Deps } from '../types.ts';

/** Starts the periodic jobs; returns a function that stops them. */
export function startScheduler(_deps: Deps): () => Promise<void> {
  return async () => {};
}

/** Recording the domain events a test server publishes while some work runs. */
import type { DomainEvent } from '../../src/events.ts';
import type { TestServer } from './server.ts';

/**
 * Runs `fn` and returns its result with the domain events published meanwhile. Events are
 * published after COMMIT and before the HTTP response is sent, so awaiting a request is enough.
 */
export async function eventsDuring<T>(server: TestServer, fn: () => Promise<T>): Promise<{ result: T; events: DomainEvent[] }> {
  const events: DomainEvent[] = [];
  const off = server.bundle.deps.events.subscribe((e) => void events.push(e));
  try {
    return { result: await fn(), events };
  } finally {
    off();
  }
}

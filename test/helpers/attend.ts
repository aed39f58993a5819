/**
 * `attend()`: a user actually comes to a session's live class — a real WebSocket on /ws joins
 * `room_{id}` (the server records the stay in attendance) and, unless asked to stay, leaves again.
 * REST alone (ready, start) does not make a learner `attended`; being in the room does.
 */
import { expect } from 'chai';
import { TestSocket } from '../realtime/client.ts';

export interface AttendOptions {
  /** Keep the socket in the room and return it (the caller closes it). Default: leave at once. */
  stay?: boolean;
}

export async function attend(server: { url: string }, token: string, sessionId: number, options: AttendOptions = {}): Promise<TestSocket> {
  const socket = await TestSocket.open(server.url, token);
  const channel = `room_${sessionId}`;
  const joined = await socket.subscribe(channel);
  expect(joined, `joining ${channel}`).to.include({ type: 'subscribed', channel });
  await socket.next('room_state');
  if (options.stay) return socket;
  // The leave is recorded before `unsubscribed` is sent.
  expect((await socket.request({ type: 'unsubscribe', channel })).type).to.equal('unsubscribed');
  await socket.close();
  return socket;
}

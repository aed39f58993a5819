/**
 * The WebSocket hub (`/ws`). (Implemented with the realtime issue; this module is the seam the
 * server and the test harness attach.)
 */
import type http from 'node:http';
import type { Deps } from '../types.ts';

export interface RealtimeHub {
  /** Closes every socket with 1001 and stops listening for upgrades. */
  close(): Promise<void>;
}

export function attachRealtime(_server: http.Server, _deps: Deps): RealtimeHub {
  return { close: async () => {} };
}

/**
 * The room's bundle entry (`dist/widgets/session-room.js` and `.iife.js`): defines
 * `<session-room>` unless a copy of the bundle already did.
 */
import { SessionRoom } from './session-room.ts';

SessionRoom.define();

declare global {
  interface HTMLElementTagNameMap {
    'session-room': SessionRoom;
  }
}

export { SessionRoom };
export type { TokenProvider } from '../shared/base-element.ts';

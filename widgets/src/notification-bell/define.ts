/**
 * The bell's bundle entry (`dist/widgets/notification-bell.js` and `.iife.js`): defines
 * `<notification-bell>` unless a copy of the bundle already did.
 */
import { NotificationBell } from './notification-bell.ts';

NotificationBell.define();

declare global {
  interface HTMLElementTagNameMap {
    'notification-bell': NotificationBell;
  }
}

export { NotificationBell };
export type { TokenProvider } from '../shared/base-element.ts';

/**
 * The dashboard's bundle entry (`dist/widgets/mentor-dashboard.js` and `.iife.js`): defines
 * `<mentor-dashboard>` unless a copy of the bundle already did.
 */
import { MentorDashboard } from './mentor-dashboard.ts';

MentorDashboard.define();

declare global {
  interface HTMLElementTagNameMap {
    'mentor-dashboard': MentorDashboard;
  }
}

export { MentorDashboard };
export type { TokenProvider } from '../shared/base-element.ts';

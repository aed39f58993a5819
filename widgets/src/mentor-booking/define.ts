/**
 * The booking widget's bundle entry (`dist/widgets/mentor-booking.js` and `.iife.js`): defines
 * `<mentor-booking>` unless a copy of the bundle already did.
 */
import { MentorBooking } from './mentor-booking.ts';

MentorBooking.define();

declare global {
  interface HTMLElementTagNameMap {
    'mentor-booking': MentorBooking;
  }
}

export { MentorBooking };
export type { TokenProvider } from '../shared/base-element.ts';

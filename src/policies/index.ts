/** Importing this module registers every policy; handlers import `authorize` from here. */
import './session.ts';
import './booking.ts';
import './request.ts';
import './feedback.ts';
import './attendance.ts';
import './payout.ts';
import './notification.ts';

export { allow, authorize, can, type ActionOn, type PolicyActions } from './policy.ts';

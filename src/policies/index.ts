/** Importing this module registers every policy; handlers import `authorize` from here. */
import './session.ts';

export { allow, authorize, can } from './policy.ts';

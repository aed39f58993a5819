/**
 * Declarative object-level authorization (after Outline's `server/policies`). Each resource's
 * policy file states, in `allow(...)` lines, who may do what to a record; handlers call
 * `authorize(user, action, record)` right after loading it, so the check cannot be forgotten.
 *
 * A caller who may not even `read` a record gets 404 (its existence does not leak); a caller who may
 * read it but not perform the action gets 403.
 */
import { forbidden, notFound } from '../errors.ts';
import type { Booking, MentorRequest, Notification, Payout, Session, User } from '../models/index.ts';

type ModelClass<T> = abstract new (...args: never[]) => T;
export type Rule<T> = (user: User, record: T) => boolean;

/** Every action a policy decides, per model: `allow`, `can` and `authorize` accept only these. */
export interface PolicyActions {
  Session:
    | 'read'
    | 'update'
    | 'publish'
    | 'cancel'
    | 'ready'
    | 'start'
    | 'complete'
    | 'book'
    | 'join_room'
    | 'read_chat'
    | 'give_feedback'
    | 'list_all_feedback'
    | 'read_attendance';
  Booking: 'read' | 'cancel' | 'ready';
  MentorRequest: 'read' | 'accept' | 'decline' | 'cancel';
  Payout: 'read' | 'approve' | 'reject' | 'mark_paid';
  Notification: 'read' | 'update';
}

/** The actions a policy decides on records of type `T`. */
export type ActionOn<T> = T extends Session
  ? PolicyActions['Session']
  : T extends Booking
    ? PolicyActions['Booking']
    : T extends MentorRequest
      ? PolicyActions['MentorRequest']
      : T extends Payout
        ? PolicyActions['Payout']
        : T extends Notification
          ? PolicyActions['Notification']
          : never;

const registry = new Map<unknown, Map<string, Rule<unknown>>>();

/** Allows `actions` on records of `model` when `rule` holds. Later calls for an action add alternatives. */
export function allow<T>(model: ModelClass<T>, actions: ActionOn<T> | ActionOn<T>[], rule: Rule<T>): void {
  let rules = registry.get(model);
  if (!rules) registry.set(model, (rules = new Map()));
  for (const action of Array.isArray(actions) ? actions : [actions]) {
    const previous = rules.get(action);
    rules.set(action, previous ? (u, r) => previous(u, r) || (rule as Rule<unknown>)(u, r) : (rule as Rule<unknown>));
  }
}

export function can<T extends object>(user: User | undefined, action: ActionOn<T>, record: T | undefined | null): boolean {
  if (!user || !record) return false;
  const rule = registry.get(record.constructor)?.get(action);
  if (!rule) throw new Error(`no policy for "${action}" on ${record.constructor.name}`);
  return rule(user, record);
}

/**
 * Throws unless `user` may perform `action` on `record`: 404 when the record is missing or not
 * readable by the user, 403 when readable but the action is refused.
 */
export function authorize<T extends object>(
  user: User,
  action: ActionOn<T>,
  record: T | undefined | null,
  what = 'Resource',
): asserts record is T {
  if (!record) throw notFound(what);
  if (can(user, action, record)) return;
  // Every model in PolicyActions has 'read'.
  if (action !== 'read' && can(user, 'read' as ActionOn<T>, record)) throw forbidden(`You may not ${action.replace(/_/g, ' ')} this ${what.toLowerCase()}.`);
  throw notFound(what);
}

// Helpers for rules.
export const isAdmin = (user: User) => user.is_admin;
export const isMentor = (user: User) => user.role === 'mentor';
export const isLearner = (user: User) => user.role === 'learner';

/**
 * Session requests → the domain inputs of src/services/sessions.ts: ISO date-times become Dates,
 * decimal prices integer cents. A value that cannot be decoded is a 400 naming its field (schema
 * validation already refuses almost all of them), thrown before any transaction starts.
 */
import type { OperationInput, Schema } from '../../contract/types.ts';
import { parseMoneyOrNull } from '../../lib/money.ts';
import { parseTime } from '../../lib/time.ts';
import type { NewSession, SessionChanges, SessionFilters } from '../../services/sessions.ts';

export function decodeNewSession(body: Schema<'SessionCreate'>): NewSession {
  const startTime = parseTime(body.start_time, 'start_time');
  const priceCents = parseMoneyOrNull(body.price, 'price');
  const session: NewSession = { title: body.title, startTime, duration: body.duration, priceCents };
  if (body.description !== undefined) session.description = body.description;
  if (body.capacity !== undefined) session.capacity = body.capacity;
  if (body.status !== undefined) session.status = body.status;
  return session;
}

/** A PUT (every field) or PATCH (some fields) body; an absent field stays absent. */
export function decodeSessionChanges(body: Schema<'SessionUpdate'> | Schema<'SessionReplace'>): SessionChanges {
  const { start_time, price, ...plain } = body;
  const changes: SessionChanges = { ...plain };
  if (start_time !== undefined) changes.startTime = parseTime(start_time, 'start_time');
  if (price !== undefined) changes.priceCents = parseMoneyOrNull(price, 'price');
  return changes;
}

export function decodeSessionFilters(query: OperationInput<'listSessions'>['query']): SessionFilters {
  const { status, scope, mentor, order } = query;
  const filters: SessionFilters = { status, scope, mentor, order };
  if (query.from) filters.from = parseTime(query.from, 'from', 'query');
  if (query.to) filters.to = parseTime(query.to, 'to', 'query');
  return filters;
}

/**
 * Request bodies → the domain inputs of src/services/requests.ts: ISO date-times become Dates,
 * decimal prices integer cents. A value that cannot be decoded is a 400 naming its field (schema
 * validation already refuses almost all of them), thrown before any transaction starts.
 */
import type { Schema } from '../../contract/types.ts';
import { validationFailed, type FieldError } from '../../errors.ts';
import { parseMoneyOrNull } from '../../lib/money.ts';
import { parseTime } from '../../lib/time.ts';
import type { AcceptInput, NewRequest } from '../../services/requests.ts';

/** Every preferred time that is not an instant is named by its index, all in one 400. */
export function decodeNewRequest(body: Schema<'RequestCreate'>): NewRequest {
  const errors: FieldError[] = [];
  const preferredTimes: Date[] = [];
  body.preferred_times.forEach((raw, i) => {
    const at = new Date(raw);
    if (Number.isNaN(at.getTime())) errors.push({ in: 'body', path: `preferred_times.${i}`, message: 'must be a date-time' });
    else preferredTimes.push(at);
  });
  if (errors.length) throw validationFailed(errors);
  const request: NewRequest = { mentor: body.mentor, topic: body.topic, preferredTimes };
  if (body.message !== undefined) request.message = body.message;
  return request;
}

export function decodeAccept(body: Schema<'RequestAccept'>): AcceptInput {
  const { start_time, price, ...plain } = body;
  return { ...plain, startTime: parseTime(start_time, 'start_time'), priceCents: parseMoneyOrNull(price, 'price') };
}

/**
 * Analytics requests → the inputs of src/views/analytics.ts: the ISO date-time bounds of the
 * range become Dates. A value that cannot be decoded is a 400 naming its query field (schema
 * validation already refuses almost all of them); defaults and range rules stay with the view.
 */
import type { OperationInput } from '../../contract/types.ts';
import { parseTime } from '../../lib/time.ts';
import type { AnalyticsBounds } from '../../views/analytics.ts';

export function decodeAnalyticsBounds(query: OperationInput<'getAnalytics'>['query']): AnalyticsBounds {
  const bounds: AnalyticsBounds = {};
  if (query.from) bounds.from = parseTime(query.from, 'from', 'query');
  if (query.to) bounds.to = parseTime(query.to, 'to', 'query');
  return bounds;
}

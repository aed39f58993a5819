/**
 * Admin request bodies → the domain inputs of src/services/admin.ts. Nothing here can fail: the
 * schema already refused every malformed body; this only gives the service its own shapes.
 */
import type { Schema } from '../../contract/types.ts';
import type { BroadcastInput } from '../../services/admin.ts';

/** `user` or `role` (the schema admits exactly one) becomes the audience; no link is `null`. */
export function decodeBroadcast(body: Schema<'Broadcast'>): BroadcastInput {
  return {
    to: 'user' in body ? { user: body.user } : { role: body.role },
    message: body.message,
    link: body.link ?? null,
  };
}

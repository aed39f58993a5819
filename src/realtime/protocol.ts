/**
 * The `/ws` wire protocol: close codes, message types (generated from the `Ws*` schemas in
 * openapi.yaml, so the README, the contract and the code describe one protocol) and the validator
 * of client messages, compiled once from the same schemas.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { Schema, Schemas } from '../contract/types.ts';
import { createAjv, illFormedText, SPEC_SCHEMA_ID } from '../openapi/validators.ts';
import type { LoadedSpec } from '../openapi/spec.ts';

/** Close codes the server uses (README, "WebSocket protocol"). */
export const CloseCode = {
  /** The server is shutting down: reconnect with backoff. */
  goingAway: 1001,
  /** Sustained message flood after `rate_limited`. */
  policyViolation: 1008,
  /** A frame larger than WS_MAX_PAYLOAD_BYTES (sent by `ws` itself). */
  messageTooBig: 1009,
  /** The access token expired and no `auth` message renewed it. */
  tokenExpired: 4001,
  /** The account was deactivated. */
  accountDisabled: 4003,
  /** The client did not read fast enough: WS_MAX_BUFFERED_BYTES of unsent data piled up. */
  slowConsumer: 4008,
} as const;

export type ClientMessage = Schema<'WsClientMessage'>;
export type ServerMessage = Schema<'WsServerMessage'>;
export type ErrorCode = Schema<'WsError'>['code'];
export type RoomMember = Schema<'WsRoomMember'>;

/** A refusal of one client message, sent back as `{ type: 'error' }`. */
export class WsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { channel?: string; errors?: Array<{ path: string; message: string }> } = {},
  ) {
    super(message);
  }
}

/** `{ ref }` for an answer to a client message that carried an `id`; nothing otherwise. */
export const withRef = (ref: string | undefined): { ref?: string } => (ref ? { ref } : {});

export type ParseResult = { ok: true; message: ClientMessage } | { ok: false; error: WsError; ref?: string };

const schemaName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1) as keyof Schemas;

/**
 * Validates client frames against `WsClientMessage`. The `oneOf` is dispatched on `type` first, so
 * an error names the fields of the message the client meant rather than every alternative's.
 */
export class ClientMessageValidator {
  readonly #byType = new Map<string, ValidateFunction>();

  constructor(spec: LoadedSpec) {
    const ajv = createAjv(spec, { coerce: false });
    const schemas = spec.document.components?.schemas as Record<string, { oneOf?: Array<{ $ref: string }> }>;
    for (const { $ref } of schemas.WsClientMessage?.oneOf ?? []) {
      const name = schemaName($ref);
      const type = (schemas[name] as { properties: { type: { const: string } } }).properties.type.const;
      this.#byType.set(type, ajv.compile({ $ref: `${SPEC_SCHEMA_ID}#/components/schemas/${name}` }));
    }
  }

  get types(): string[] {
    return [...this.#byType.keys()];
  }

  parse(raw: string): ParseResult {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, error: new WsError('invalid_message', 'The message is not valid JSON.') };
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, error: new WsError('invalid_message', 'A message is a JSON object with a "type".') };
    }
    const record = value as Record<string, unknown>;
    const ref = typeof record.id === 'string' && record.id.length <= 64 ? record.id : undefined;
    const validate = typeof record.type === 'string' ? this.#byType.get(record.type) : undefined;
    if (!validate) {
      const error = new WsError('invalid_message', `"type" must be one of: ${this.types.join(', ')}.`, {
        errors: [{ path: 'type', message: `must be one of: ${this.types.join(', ')}` }],
      });
      return { ok: false, error, ref };
    }
    if (!validate(value)) {
      const errors = (validate.errors ?? []).map((e) => {
        const segments = e.instancePath.split('/').slice(1);
        const params = e.params as { missingProperty?: string; additionalProperty?: string };
        if (params.missingProperty) segments.push(params.missingProperty);
        if (params.additionalProperty) segments.push(params.additionalProperty);
        const message = params.additionalProperty ? 'is not an allowed field' : params.missingProperty ? 'is required' : (e.message ?? 'is invalid');
        return { path: segments.join('.'), message };
      });
      const summary = errors.map((e) => `${e.path || '(message)'} ${e.message}`).join('; ');
      return { ok: false, error: new WsError('invalid_message', `Invalid "${record.type}" message: ${summary}.`, { errors }), ref };
    }
    // Chat is stored: the same text rule as REST bodies (no NUL, no lone surrogates). Signals are
    // relayed untouched and never parsed.
    const textErrors = record.type === 'chat' ? illFormedText('body', record.body, ['body']) : [];
    if (textErrors.length) {
      const errors = textErrors.map(({ path, message }) => ({ path, message }));
      return { ok: false, error: new WsError('invalid_message', 'Invalid "chat" message: body must be well-formed text without NUL characters.', { errors }), ref };
    }
    return { ok: true, message: value as ClientMessage };
  }
}

/**
 * Input checks taken from `openapi.yaml` itself, so a value typed at a prompt (or given to the local
 * `admin create`, which has no server to ask) obeys exactly the rules the API enforces.
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { Schemas } from '../../src/contract/types.ts';
import { loadSpec } from '../../src/openapi/spec.ts';
import { createAjv, SPEC_SCHEMA_ID, toFieldErrors } from '../../src/openapi/validators.ts';
import type { FieldError } from '../../src/errors.ts';
import type { Check } from './prompts.ts';

let ajv: Ajv2020 | undefined;

function validatorFor(schema: keyof Schemas) {
  ajv ??= createAjv(loadSpec(), { coerce: false });
  const ref = `${SPEC_SCHEMA_ID}#/components/schemas/${schema}`;
  return ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
}

/** The field errors of `value` against a schema (empty when valid). */
function validateAgainst(schema: keyof Schemas, value: unknown): FieldError[] {
  const validate = validatorFor(schema);
  return validate(value) ? [] : toFieldErrors('body', validate.errors);
}

/**
 * A prompt/flag check for one value against a schema such as `Username` or `Password`, with the
 * API's own words for a failure (a pattern's `x-error-message`, "must be a valid email address").
 */
export function schemaCheck(schema: keyof Schemas): Check {
  return (value) => validateAgainst(schema, value)[0]?.message ?? true;
}

/**
 * The API contract as types: aliases over the types openapi-typescript generates from `openapi.yaml`
 * (never edit the generated file: change the spec and run `npm run gen`). A neutral module: services,
 * realtime, webhooks, jobs and the CLI take contract types from here, never from src/api/.
 */
import type { components, operations } from '../api/generated/openapi.d.ts';

export type { components, operations, paths } from '../api/generated/openapi.d.ts';

export type Schemas = components['schemas'];
export type Schema<K extends keyof Schemas> = Schemas[K];
export type OperationId = keyof operations;

type Params<Op extends OperationId> = operations[Op] extends { parameters: infer P } ? P : never;
type Part<P, K extends string> = P extends { [k in K]?: infer X } ? ([X] extends [never] ? Record<string, never> : X) : Record<string, never>;
type Content<Op extends OperationId> = operations[Op] extends { requestBody?: { content: infer C } } ? C : never;

/** The JSON body an operation accepts (`undefined` when the body is optional and absent). */
export type RequestBody<Op extends OperationId> = [Content<Op>] extends [never]
  ? undefined
  : Content<Op>[keyof Content<Op>] | (operations[Op] extends { requestBody: unknown } ? never : undefined);

/** What a handler receives: parameters coerced and validated, the body validated. */
export interface OperationInput<Op extends OperationId> {
  path: NonNullable<Part<Params<Op>, 'path'>>;
  query: NonNullable<Part<Params<Op>, 'query'>>;
  headers: NonNullable<Part<Params<Op>, 'header'>>;
  body: RequestBody<Op>;
}

type Responses<Op extends OperationId> = operations[Op]['responses'];
/** The JSON body of a response, e.g. `ResponseBody<'getSession', 200>`. */
export type ResponseBody<Op extends OperationId, S extends keyof Responses<Op>> = Responses<Op>[S] extends {
  content: infer C;
}
  ? C[keyof C]
  : never;

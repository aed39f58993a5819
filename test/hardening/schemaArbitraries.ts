/**
 * fast-check arbitraries derived from the JSON Schemas in `openapi.yaml`. For any schema:
 *
 *   valid(s)    values the schema accepts (what a well-behaved client sends);
 *   edge(s)     values at the schema's limits that it still accepts (maxLength in multi-byte
 *               characters, minimum and maximum, empty arrays, hostile text where any text goes);
 *   invalid(s)  values just beyond the limits (length ± 1, minimum − 1, maximum + 1, one item too
 *               many), wrong types, null, huge numbers, malformed dates and patterns;
 *   fuzzed(s)   a mix of the three, and for objects a valid object with ONE mutation (a property
 *               made invalid, a required one dropped, an unknown one added), so that most requests
 *               get past all but one check and the server's handling of that one is exercised.
 *
 * Only the keywords `openapi.yaml` uses are interpreted; an unknown one fails loudly, so a schema
 * change that this generator does not understand cannot silently shrink what is tested.
 */
import fc from 'fast-check';
import { resolveRef, type JsonSchema, type OpenApiDocument } from '../../src/openapi/spec.ts';

type Arb = fc.Arbitrary<unknown>;

/** Text that has broken other applications: SQL and pattern metacharacters, markup, odd unicode. */
export const SQL_PAYLOADS = [`' OR 1=1 --`, `"; DROP TABLE users; --`, `%`, `_`, `\\`, `%' OR '1'='1`, `'); DELETE FROM sessions; --`, `1' UNION SELECT password_hash FROM users --`];
export const HTML_PAYLOADS = [`<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`, `"><svg/onload=alert(1)>`, `</textarea><b>bold</b>`, `javascript:alert(1)`, `&lt;&amp;&#x27;`];
export const UNICODE_PAYLOADS = ['𝕳𝖊𝖑𝖑𝖔', '👩🏽‍💻🚀', 'e\u0301\u0301', '\u202eتجربة', '\u200b\u200d\ufeff', '\u2028\u2029', 'Ω≈ç√∫', '\ud800', '\u0000', 'null', '__proto__'];
export const HOSTILE_STRINGS = [...SQL_PAYLOADS, ...HTML_PAYLOADS, ...UNICODE_PAYLOADS, '${7*7}{{7*7}}', '../../etc/passwd', ' ', '\t\n'];

/** Dates that parse as `date-time` for some parsers and not others. */
const BAD_DATE_TIMES = [
  '', 'now', '2026-01-01', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', '2026-06-30T23:59:60Z', '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00Z', '1970-01-01T00:00:00Z', '2026-01-01T25:00:00Z', '2026-01-01T10:00:00',
  '2026-01-01 10:00:00Z', '2026-01-01T10:00:00+24:00', '2026-01-01t10:00:00z', '2026-01-01T10:00:00.123456789Z',
];
const HUGE_NUMBERS = [2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MIN_VALUE, 0.1 + 0.2, -0];

const KNOWN_KEYWORDS = new Set([
  'type', '$ref', 'description', 'minimum', 'maximum', 'additionalProperties', 'properties', 'required', 'format', 'maxLength',
  'minLength', 'items', 'const', 'examples', 'enum', 'pattern', 'oneOf', 'maxItems', 'minItems', 'minProperties', 'uniqueItems',
  'contentMediaType', 'default',
  // An annotation: the words shown when `pattern` fails (src/openapi/validators.ts).
  'x-error-message',
]);

export interface ArbitraryOptions {
  /** Ids of records that exist, mixed into every id-like integer so requests reach real rows. */
  ids: number[];
  /** Values for schemas whose validity the server decides (e.g. IANA time zones), by component name. */
  known?: Record<string, unknown[]>;
  /** "Now" for generated date-times (mostly in the future, where workflows accept them). */
  now?: Date;
}

const MAX_GENERATED_ITEMS = 5;
const MAX_GENERATED_LENGTH = 40;

export class SchemaArbitraries {
  private readonly now: number;
  /** Arbitraries are costly to build (regex-driven ones especially) and cheap to reuse. */
  private readonly cache = new Map<string, WeakMap<JsonSchema, Arb>>();

  constructor(
    private readonly doc: OpenApiDocument,
    private readonly options: ArbitraryOptions,
  ) {
    this.now = (options.now ?? new Date()).getTime();
  }

  /** The schema behind `$ref`s, and the component name it came from (for `known` values). */
  private resolve(schema: JsonSchema): { schema: JsonSchema; name?: string } {
    let name: string | undefined;
    if (typeof schema.$ref === 'string') name = schema.$ref.split('/').pop();
    const resolved = resolveRef<JsonSchema>(this.doc, schema);
    for (const key of Object.keys(resolved)) {
      if (!KNOWN_KEYWORDS.has(key)) throw new Error(`schemaArbitraries: unsupported keyword "${key}" in ${JSON.stringify(resolved).slice(0, 200)}`);
    }
    return { schema: resolved, name };
  }

  private types(schema: JsonSchema): string[] {
    if (Array.isArray(schema.type)) return schema.type as string[];
    if (typeof schema.type === 'string') return [schema.type];
    if (schema.properties) return ['object'];
    return [];
  }

  private memo(kind: string, input: JsonSchema, build: () => Arb): Arb {
    let byKind = this.cache.get(kind);
    if (!byKind) this.cache.set(kind, (byKind = new WeakMap()));
    let arb = byKind.get(input);
    if (!arb) byKind.set(input, (arb = build()));
    return arb;
  }

  valid(input: JsonSchema): Arb {
    return this.memo('valid', input, () => this.buildValid(input));
  }

  private buildValid(input: JsonSchema): Arb {
    const { schema, name } = this.resolve(input);
    const known = name ? this.options.known?.[name] : undefined;
    if (known) return fc.constantFrom(...known);
    if ('const' in schema) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
    if (Array.isArray(schema.oneOf)) return fc.oneof(...(schema.oneOf as JsonSchema[]).map((s) => this.valid(s)));
    const types = this.types(schema);
    if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
    return fc.oneof(...types.map((type) => this.validOfType(schema, type)));
  }

  private validOfType(schema: JsonSchema, type: string): Arb {
    switch (type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return this.integer(schema);
      case 'number':
        return fc.double({ min: (schema.minimum as number) ?? -1e9, max: (schema.maximum as number) ?? 1e9, noNaN: true });
      case 'string':
        return this.string(schema);
      case 'array':
        return this.array(schema, (s) => this.valid(s));
      case 'object':
        return this.object(schema);
      default:
        throw new Error(`schemaArbitraries: unsupported type ${type}`);
    }
  }

  private integer(schema: JsonSchema): Arb {
    const min = (schema.minimum as number) ?? -(2 ** 31);
    const max = (schema.maximum as number) ?? 2 ** 31 - 1;
    const range = fc.integer({ min, max });
    // An id: mostly ids of records that exist, so handlers get past their lookups.
    const ids = this.options.ids.filter((id) => id >= min && id <= max);
    if (min === 1 && max >= 2 ** 31 - 1 && ids.length) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: range });
    return range;
  }

  private string(schema: JsonSchema): Arb {
    const minLength = (schema.minLength as number) ?? 0;
    const maxLength = Math.min((schema.maxLength as number) ?? MAX_GENERATED_LENGTH, 10_000);
    const fits = (s: string) => [...s].length >= minLength && [...s].length <= maxLength;
    switch (schema.format) {
      case 'date-time':
        return fc
          .integer({ min: -30, max: 90 * 24 })
          .map((hours) => new Date(this.now + hours * 3_600_000 + 7 * 60_000).toISOString());
      case 'email':
        return fc.stringMatching(/^[a-z0-9'+_-]{1,20}@[a-z]{1,10}\.test$/);
      case 'binary':
        return fc.constant('upload.png');
      case 'uri':
        return fc
          .oneof(
            fc.webUrl({ validSchemes: ['https', 'http'] }),
            fc.constantFrom('https://hooks.example.test/in', 'http://127.0.0.1/x', 'https://10.0.0.1/', 'https://[::1]/', 'ftp://example.test/', 'https://user:pw@example.test/'),
          )
          .filter(fits);
      case 'uri-reference':
      case undefined:
        break;
      default:
        throw new Error(`schemaArbitraries: unsupported format ${String(schema.format)}`);
    }
    if (typeof schema.pattern === 'string') {
      const pattern = new RegExp(schema.pattern as string);
      // fast-check cannot generate from lookaheads: generate without them, keep what matches.
      const generator = new RegExp((schema.pattern as string).replace(/\(\?[=!][^)]*\)/g, ''));
      return fc.stringMatching(generator).filter((s) => fits(s) && pattern.test(s));
    }
    return fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, MAX_GENERATED_LENGTH) }).filter(fits);
  }

  private array(schema: JsonSchema, item: (s: JsonSchema) => Arb): Arb {
    const items = (schema.items as JsonSchema) ?? {};
    const minLength = (schema.minItems as number) ?? 0;
    const maxLength = Math.min((schema.maxItems as number) ?? MAX_GENERATED_ITEMS, MAX_GENERATED_ITEMS);
    if (schema.uniqueItems) return fc.uniqueArray(item(items), { minLength, maxLength, selector: (v) => JSON.stringify(v) });
    return fc.array(item(items), { minLength, maxLength });
  }

  private properties(schema: JsonSchema): Record<string, JsonSchema> {
    return (schema.properties as Record<string, JsonSchema>) ?? {};
  }

  private object(schema: JsonSchema, value: (s: JsonSchema) => Arb = (s) => this.valid(s)): Arb {
    const props = this.properties(schema);
    const required = (schema.required as string[]) ?? [];
    const model = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, value(s)]));
    const minProperties = (schema.minProperties as number) ?? 0;
    return fc.record(model, { requiredKeys: required }).filter((o) => Object.keys(o).length >= minProperties);
  }

  /** Values at the limits that the schema still accepts. */
  edge(input: JsonSchema): Arb {
    return this.memo('edge', input, () => this.buildEdge(input));
  }

  private buildEdge(input: JsonSchema): Arb {
    const { schema } = this.resolve(input);
    if ('const' in schema || Array.isArray(schema.enum)) return this.valid(schema);
    if (Array.isArray(schema.oneOf)) return fc.oneof(...(schema.oneOf as JsonSchema[]).map((s) => this.edge(s)));
    const types = this.types(schema);
    if (types.length === 0) return this.valid(schema);
    return fc.oneof(...types.map((type) => this.edgeOfType(schema, type)));
  }

  private edgeOfType(schema: JsonSchema, type: string): Arb {
    if (type === 'integer' || type === 'number') {
      const values = [schema.minimum, schema.maximum].filter((v) => typeof v === 'number');
      return values.length ? fc.constantFrom(...values) : this.validOfType(schema, type);
    }
    if (type === 'array') {
      const max = (schema.maxItems as number) ?? MAX_GENERATED_ITEMS;
      const items = (schema.items as JsonSchema) ?? {};
      const fullUnique = fc.uniqueArray(this.valid(items), { minLength: max, maxLength: max, selector: (v) => JSON.stringify(v) });
      return fc.oneof(this.array(schema, (s) => this.edge(s)), schema.uniqueItems ? fullUnique : fc.array(this.valid(items), { minLength: max, maxLength: max }));
    }
    if (type === 'object') return this.object(schema, (s) => fc.oneof(this.valid(s), this.edge(s)));
    if (type !== 'string' || schema.format || schema.pattern) return this.validOfType(schema, type);
    // Free text: any content at any length the schema allows.
    const min = (schema.minLength as number) ?? 0;
    const max = (schema.maxLength as number) ?? 1000;
    const fitting = HOSTILE_STRINGS.filter((s) => [...s].length >= min && [...s].length <= max);
    return fc.constantFrom(
      ...fitting,
      'x'.repeat(max),
      '𝕏'.repeat(max), // maxLength counts code points: two UTF-16 units each
      'é'.repeat(max),
      ...(min > 0 ? ['y'.repeat(min)] : ['']),
    );
  }

  /** Values the schema refuses: just beyond each limit, wrong types, malformed formats. */
  invalid(input: JsonSchema): Arb {
    return this.memo('invalid', input, () => this.buildInvalid(input));
  }

  private buildInvalid(input: JsonSchema): Arb {
    const { schema } = this.resolve(input);
    const wrongTypes: unknown[] = [];
    const types = Array.isArray(schema.oneOf)
      ? (schema.oneOf as JsonSchema[]).flatMap((s) => this.types(this.resolve(s).schema))
      : this.types(schema);
    for (const [type, sample] of [
      ['string', 'text'], ['integer', 7], ['number', 7.5], ['boolean', true], ['null', null], ['array', ['a', 1]], ['object', { a: 1 }],
    ] as const) {
      const accepted = types.includes(type) || (type === 'integer' && types.includes('number'));
      if (!accepted) wrongTypes.push(sample);
    }
    const beyond: unknown[] = [];
    if (Array.isArray(schema.enum)) beyond.push('not_a_choice', String(schema.enum[0]).toUpperCase(), `${String(schema.enum[0])} `);
    if ('const' in schema) beyond.push(`${String(schema.const)}x`);
    if (types.includes('string')) {
      if (typeof schema.maxLength === 'number') beyond.push('x'.repeat(schema.maxLength + 1), '𝕏'.repeat(schema.maxLength + 1));
      if (typeof schema.minLength === 'number' && schema.minLength > 0) beyond.push('x'.repeat(schema.minLength - 1));
      if (schema.format === 'date-time') beyond.push(...BAD_DATE_TIMES);
      if (schema.format === 'email') beyond.push('not-an-email', 'a@b', '@example.test', `x@${'a'.repeat(250)}.test`, "' OR 1=1 --@x.test");
      if (schema.pattern) beyond.push('', ' ', 'has space', ...SQL_PAYLOADS.slice(0, 2), '\t');
    }
    if (types.includes('integer') || types.includes('number')) {
      if (typeof schema.minimum === 'number') beyond.push(schema.minimum - 1);
      if (typeof schema.maximum === 'number') beyond.push(schema.maximum + 1);
      if (types.includes('integer')) beyond.push(1.5, '12', '');
      // As text (query strings), these coerce to numbers that are not finite or not numbers at all.
      beyond.push('1e400', '-1e400', 'Infinity', 'NaN', '0x7fffffff');
      beyond.push(...HUGE_NUMBERS.filter((n) => (typeof schema.maximum === 'number' ? n > schema.maximum : true) || (typeof schema.minimum === 'number' ? n < schema.minimum : false)));
    }
    if (types.includes('array')) {
      const max = (schema.maxItems as number) ?? 50;
      beyond.push(Array.from({ length: max + 1 }, (_, i) => `item${i}`), [{}], [null]);
      if ((schema.minItems as number) > 0) beyond.push([]);
      if (schema.uniqueItems) beyond.push(['same', 'same']);
    }
    if (types.includes('object')) beyond.push({ unknown_field: 1 }, {});
    const fixed = [...wrongTypes, ...beyond];
    const arbs: Arb[] = [fc.constantFrom(...fixed)];
    if (types.includes('object')) arbs.push(this.mutatedObject(schema));
    if (types.includes('array') && schema.items) arbs.push(fc.array(this.invalid(schema.items as JsonSchema), { minLength: 1, maxLength: 3 }));
    return fc.oneof(...arbs);
  }

  /** A valid object with one thing wrong: a property invalid, a required one missing, or an unknown one. */
  mutatedObject(input: JsonSchema): Arb {
    return this.memo('mutated', input, () => this.buildMutatedObject(input));
  }

  private buildMutatedObject(input: JsonSchema): Arb {
    const { schema } = this.resolve(input);
    if (Array.isArray(schema.oneOf)) return fc.oneof(...(schema.oneOf as JsonSchema[]).map((s) => this.mutatedObject(s)));
    const props = Object.entries(this.properties(schema));
    const required = (schema.required as string[]) ?? [];
    const mutations: Array<fc.Arbitrary<(o: Record<string, unknown>) => Record<string, unknown>>> = [
      fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'id', 'is_admin', 'mentor_id', 'role', 'x'.repeat(300), 'status'), fc.jsonValue({ maxDepth: 2 }))
        .filter(([k]) => !Object.hasOwn(this.properties(schema), k))
        .map(([k, v]) => (o) => ({ ...o, [k]: v })),
    ];
    if (props.length) {
      mutations.push(
        fc
          .constantFrom(...props)
          .chain(([k, s]) => this.invalid(s).map((v) => [k, v] as const))
          .map(([k, v]) => (o) => ({ ...o, [k]: v })),
      );
    }
    if (required.length) {
      mutations.push(fc.constantFrom(...required).map((k) => (o) => Object.fromEntries(Object.entries(o).filter(([key]) => key !== k))));
    }
    return fc.tuple(this.object(schema), fc.oneof(...mutations)).map(([o, mutate]) => mutate(o as Record<string, unknown>));
  }

  /** The fuzzer's mix: mostly almost-valid values, some valid, edge and plainly invalid ones. */
  fuzzed(input: JsonSchema): Arb {
    return this.memo('fuzzed', input, () => this.buildFuzzed(input));
  }

  private buildFuzzed(input: JsonSchema): Arb {
    const { schema } = this.resolve(input);
    const isObject = this.types(schema).includes('object') || Array.isArray(schema.oneOf) && (schema.oneOf as JsonSchema[]).every((s) => this.types(this.resolve(s).schema).includes('object'));
    return fc.oneof(
      { weight: 3, arbitrary: this.valid(schema) },
      { weight: 2, arbitrary: this.edge(schema) },
      { weight: isObject ? 4 : 3, arbitrary: isObject ? this.mutatedObject(schema) : this.invalid(schema) },
      { weight: 1, arbitrary: this.invalid(schema) },
    );
  }
}

/** Deeply nested JSON text (arrays or objects), for parsers and validators that recurse. */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

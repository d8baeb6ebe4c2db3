// A minimal JSON Schema (2020-12) checker for the subset /v1/openapi.json uses, and a response checker
// that validates every answer the server tests receive against the OpenAPI document. ajv is not
// installed; this covers: type (incl. lists, integer), enum, const, properties, required,
// additionalProperties (boolean or schema), items, minItems/maxItems, minLength/maxLength, pattern,
// minimum/maximum/exclusiveMinimum/exclusiveMaximum, format date-time, oneOf/anyOf/allOf, local $ref.
// An unknown keyword is an error, so the spec cannot drift into what this checker ignores.

type Schema = Record<string, unknown> | boolean;

const KNOWN = new Set([
  'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'format',
  'oneOf', 'anyOf', 'allOf', '$ref', '$defs', 'description', 'default', 'title', 'examples',
]);

export interface SchemaError {
  path: string;
  message: string;
}

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
const regexCache = new Map<string, RegExp>();

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Checks `value` against `schema`; `root` resolves `$ref: '#/…'`. Returns every error found. */
export function checkSchema(schema: Schema, value: unknown, root: unknown = schema, path = ''): SchemaError[] {
  if (schema === true) return [];
  if (schema === false) return [{ path, message: 'no value is allowed here' }];
  const errors: SchemaError[] = [];
  const fail = (message: string, at = path) => errors.push({ path: at, message });
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) throw new Error(`schema keyword "${k}" at ${path || '(root)'} is not supported by this checker`);
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (!ref.startsWith('#/')) throw new Error(`only local $ref are supported, not ${ref}`);
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) target = (target as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (target === undefined) throw new Error(`$ref ${ref} does not resolve`);
    errors.push(...checkSchema(target as Schema, value, root, path));
  }
  const t = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    const ok = types.some((want) => want === t || (want === 'number' && t === 'integer'));
    if (!ok) {
      fail(`expected ${types.join(' or ')}, got ${t}`);
      return errors;
    }
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => sameJson(e, value))) fail(`expected one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}`);
  if ('const' in schema && !sameJson(schema.const, value)) fail(`expected ${JSON.stringify(schema.const)}`);
  if (t === 'string') {
    const s = value as string;
    const len = [...s].length;
    if (typeof schema.minLength === 'number' && len < schema.minLength) fail(`shorter than ${schema.minLength}`);
    if (typeof schema.maxLength === 'number' && len > schema.maxLength) fail(`longer than ${schema.maxLength}`);
    if (typeof schema.pattern === 'string') {
      let re = regexCache.get(schema.pattern);
      if (!re) regexCache.set(schema.pattern, (re = new RegExp(schema.pattern, 'u')));
      if (!re.test(s)) fail(`does not match ${schema.pattern}`);
    }
    if (schema.format === 'date-time' && !DATE_TIME.test(s)) fail('not a date-time');
  }
  if (t === 'number' || t === 'integer') {
    const n = value as number;
    if (typeof schema.minimum === 'number' && n < schema.minimum) fail(`below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && n > schema.maximum) fail(`above ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && n <= schema.exclusiveMinimum) fail(`not above ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === 'number' && n >= schema.exclusiveMaximum) fail(`not below ${schema.exclusiveMaximum}`);
  }
  if (t === 'array') {
    const a = value as unknown[];
    if (typeof schema.minItems === 'number' && a.length < schema.minItems) fail(`fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && a.length > schema.maxItems) fail(`more than ${schema.maxItems} items`);
    if (schema.items !== undefined) a.forEach((item, i) => errors.push(...checkSchema(schema.items as Schema, item, root, `${path}[${i}]`)));
  }
  if (t === 'object') {
    const o = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in o)) fail('is required', path ? `${path}.${r}` : r);
    for (const [k, v] of Object.entries(o)) {
      const at = path ? `${path}.${k}` : k;
      if (k in props) errors.push(...checkSchema(props[k]!, v, root, at));
      else if (schema.additionalProperties === false) fail('is not allowed here', at);
      else if (schema.additionalProperties !== undefined && schema.additionalProperties !== true) errors.push(...checkSchema(schema.additionalProperties as Schema, v, root, at));
    }
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf as Schema[]) errors.push(...checkSchema(s, value, root, path));
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as Schema[]).some((s) => checkSchema(s, value, root, path).length === 0)) fail('matches none of anyOf');
  if (Array.isArray(schema.oneOf)) {
    const matching = (schema.oneOf as Schema[]).filter((s) => checkSchema(s, value, root, path).length === 0).length;
    if (matching !== 1) fail(`matches ${matching} of oneOf, not exactly one`);
  }
  return errors;
}

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }>; headers?: Record<string, unknown> }>;
}

/** The operation of the spec a request reaches: its path template and method. */
function operationOf(spec: Record<string, unknown>, method: string, pathname: string): { template: string; op: Operation } | undefined {
  const paths = spec.paths as Record<string, Record<string, Operation>>;
  // Concrete paths before templated ones, as OpenAPI says.
  const entries = Object.entries(paths).sort(([a], [b]) => Number(a.includes('{')) - Number(b.includes('{')));
  for (const [template, item] of entries) {
    const re = new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '$');
    if (!re.test(pathname)) continue;
    const op = item[method.toLowerCase()];
    if (op) return { template, op };
  }
  return undefined;
}

/**
 * Checks one answer against the spec: the route and method are described, the status is listed, the
 * content type is one the spec names for it, and a JSON body validates against its schema. Returns the
 * problems (empty when the answer is as described).
 */
export function checkResponse(spec: Record<string, unknown>, method: string, url: string, status: number, contentType: string | null, body: string): string[] {
  const { pathname } = new URL(url, 'http://x');
  if (method === 'OPTIONS') return []; // CORS preflight, answered for every route
  const found = operationOf(spec, method === 'HEAD' ? 'GET' : method, pathname.replace(/\/+$/, '') || '/');
  if (!found) {
    // A method a described route does not take: 405 with an error body (OpenAPI cannot list "every other method").
    const known = ['get', 'post', 'delete', 'put', 'patch'].some((m) => operationOf(spec, m, pathname));
    if (known && status === 405) {
      const schemas = (spec.components as { schemas: Record<string, Schema> }).schemas;
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return [`${method} ${pathname} 405: the body is not JSON`];
      }
      if (checkSchema(schemas.Problem!, json, spec).length === 0 || checkSchema(schemas.Error!, json, spec).length === 0) return [];
      return [`${method} ${pathname} 405: the body is neither a Problem nor an Error`];
    }
    return [`${method} ${pathname} is not in the spec`];
  }
  const response = found.op.responses[String(status)] ?? found.op.responses.default;
  if (!response) return [`${method} ${found.template} answered ${status}, which the spec does not list (${Object.keys(found.op.responses).join(', ')})`];
  if (!response.content || status === 304 || status === 204 || method === 'HEAD') return [];
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const media = response.content[type];
  if (!media) return [`${method} ${found.template} ${status}: content type "${type}" is not one the spec lists (${Object.keys(response.content).join(', ')})`];
  if (!type.endsWith('json') || !media.schema) return [];
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return [`${method} ${found.template} ${status}: the body is not JSON`];
  }
  return checkSchema(media.schema, json, spec).map((e) => `${method} ${found.template} ${status}: ${e.path || '(body)'}: ${e.message}`);
}

/**
 * A `fetch` that checks every answer against the server's OpenAPI document (fetched once from the
 * same server) and throws on the first that does not match. Streams (SSE) are checked by status and
 * content type only.
 */
export function checkedFetch(base: string): { fetch: (input: string, init?: RequestInit) => Promise<Response>; checked: () => number } {
  let spec: Record<string, unknown> | undefined;
  let n = 0;
  const load = async () => (spec ??= (await (await fetch(`${base}/v1/openapi.json`)).json()) as Record<string, unknown>);
  const checkedFetchFn = async (input: string, init: RequestInit = {}): Promise<Response> => {
    const s = await load();
    const url = input.startsWith('http') ? input : `${base}${input}`;
    const res = await fetch(url, { redirect: 'manual', ...init });
    const method = (init.method ?? 'GET').toUpperCase();
    const type = res.headers.get('content-type');
    if (type?.startsWith('text/event-stream')) {
      const problems = checkResponse(s, method, url, res.status, type, '');
      if (problems.length) throw new Error(`answer not as /v1/openapi.json describes:\n  ${problems.join('\n  ')}`);
      n++;
      return res;
    }
    const text = await res.text();
    const problems = checkResponse(s, method, url, res.status, type, text);
    if (problems.length) throw new Error(`answer not as /v1/openapi.json describes:\n  ${problems.join('\n  ')}\nbody: ${text.slice(0, 500)}`);
    n++;
    return new Response(res.status === 204 || res.status === 304 ? null : text, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return { fetch: checkedFetchFn, checked: () => n };
}

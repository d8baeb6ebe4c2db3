// The write API's parts without a server: the JSON Schema checker the OpenAPI tests rely on, the
// OpenAPI document itself, the oidc config checks, the idempotency and session stores, embed escaping.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { checkResponse, checkSchema } from './openapi-check.ts';
import { openApiDocument } from '../../server/api/openapi.ts';
import { parseConfig, CandorConfigError } from '../../server/config.ts';
import { IdempotencyStore, fingerprint } from '../../server/api/idempotency.ts';
import { SessionStore, setCookie, cookiesOf } from '../../server/auth/session.ts';
import { embedAttributes, embedCsp, embedPage } from '../../server/api/embed.ts';
import { testConfig, testDocument } from './harness.ts';
import type { IncomingMessage } from 'node:http';

describe('the JSON Schema checker', () => {
  it('checks types, required, additionalProperties, lengths, bounds, patterns, enums, const, formats', () => {
    const schema = {
      type: 'object',
      required: ['id', 'n'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 2, maxLength: 4, pattern: '^[a-z]+$' },
        n: { type: 'integer', minimum: 0, maximum: 10 },
        x: { type: ['number', 'null'], exclusiveMinimum: 0 },
        kind: { type: 'string', enum: ['a', 'b'] },
        v: { const: 1 },
        at: { type: 'string', format: 'date-time' },
        list: { type: 'array', items: { type: 'boolean' }, minItems: 1, maxItems: 2 },
      },
    };
    expect(checkSchema(schema, { id: 'ab', n: 3, x: null, kind: 'a', v: 1, at: '2026-01-01T00:00:00Z', list: [true] })).toEqual([]);
    const errors = checkSchema(schema, { id: 'A', n: 3.5, x: 0, kind: 'c', v: 2, at: 'yesterday', list: [], extra: 1 }).map((e) => e.path).sort();
    expect(errors).toEqual(['at', 'extra', 'id', 'id', 'kind', 'list', 'n', 'v', 'x'].sort());
    expect(checkSchema(schema, { id: 'abc' })).toEqual([{ path: 'n', message: 'is required' }]);
    expect(checkSchema({ type: 'number' }, 3)).toEqual([]); // an integer is a number
    expect(checkSchema({ additionalProperties: { type: 'string' } }, { a: 'x', b: 2 })).toEqual([{ path: 'b', message: 'expected string, got integer' }]);
  });

  it('oneOf (exactly one), anyOf, allOf and local $ref', () => {
    const root = { $defs: { s: { type: 'string' } }, oneOf: [{ $ref: '#/$defs/s' }, { type: 'string', minLength: 3 }] };
    expect(checkSchema(root, 'ab')).toEqual([]);
    expect(checkSchema(root, 'abc')[0]!.message).toMatch(/matches 2 of oneOf/);
    expect(checkSchema({ anyOf: [{ type: 'string' }, { type: 'null' }] }, 1)[0]!.message).toMatch(/anyOf/);
    expect(checkSchema({ allOf: [{ minimum: 1 }, { maximum: 2 }] }, 3)).toHaveLength(1);
  });

  it('refuses keywords it does not implement, so the spec cannot use them unchecked', () => {
    expect(() => checkSchema({ type: 'object', patternProperties: {} } as never, {})).toThrow(/not supported/);
    expect(() => checkSchema({ $ref: 'https://example.com/x' }, {})).toThrow(/local/);
  });

  it('the OpenAPI document: 3.1, every route, schemas that accept real records and refuse broken ones', () => {
    const spec = openApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, Record<string, unknown>> } };
    expect(spec.openapi).toBe('3.1.0');
    for (const path of ['/v1/document', '/v1/events', '/v1/history', '/healthz', '/v1/openapi.json', '/v1/session', '/auth/login', '/auth/callback', '/auth/logout', '/embed/{widget}', '/widgets/candor-widgets.js']) {
      expect(spec.paths[path], path).toBeDefined();
    }
    for (const kind of ['check-ins', 'comments', 'kudos', 'reflections']) {
      expect(spec.paths[`/v1/${kind}`]!.post, kind).toBeDefined();
      expect(spec.paths[`/v1/${kind}/{id}`]!.get, kind).toBeDefined();
    }
    expect(spec.paths['/v1/check-ins/{id}']!.delete).toBeDefined();
    expect(spec.paths['/v1/comments/{id}']!.delete).toBeDefined();
    const doc = testDocument();
    expect(checkSchema(spec.components.schemas.Document!, JSON.parse(JSON.stringify(doc)), spec)).toEqual([]);
    expect(checkSchema(spec.components.schemas.Document!, { ...doc, keyResults: [{ ...doc.keyResults[0], metric: { kind: 'bogus' } }] }, spec).length).toBeGreaterThan(0);
    const body = spec.components.schemas.CheckInBody!;
    expect(checkSchema(body, { keyResultId: 'kr', value: 1, confidence: 0.5 }, spec)).toEqual([]);
    expect(checkSchema(body, { keyResultId: 'kr', confidence: 0.5, authorId: 'me' }, spec)[0]!.path).toBe('authorId');
    // The whole spec uses only what the checker implements: checking every schema against a value throws on anything else.
    for (const [name, schema] of Object.entries(spec.components.schemas)) expect(() => checkSchema(schema, {}, spec), name).not.toThrow();
  });

  it('checkResponse: undescribed statuses and content types are errors', () => {
    const spec = openApiDocument();
    expect(checkResponse(spec, 'GET', '/healthz', 200, 'application/json', '{"ok":true}')).toEqual([]);
    expect(checkResponse(spec, 'GET', '/healthz', 418, 'application/json', '{}')[0]).toMatch(/does not list/);
    expect(checkResponse(spec, 'GET', '/v1/session', 200, 'text/plain', 'x')[0]).toMatch(/content type/);
    expect(checkResponse(spec, 'GET', '/v1/nowhere', 200, 'application/json', '{}')[0]).toMatch(/not in the spec/);
    expect(checkResponse(spec, 'POST', '/v1/comments', 201, 'application/json', '{"id":"c"}').join()).toMatch(/target/);
  });
});

describe('authentication.oidc in the config', () => {
  const oidc = (extra: Record<string, unknown> = {}) => testConfig({ authentication: { tokens: true, oidc: { issuer: 'https://sso.example.com', clientId: 'candor', ...extra } } });
  const issues = (config: Record<string, unknown>) => {
    try {
      parseConfig(config);
      return [];
    } catch (e) {
      return (e as CandorConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
  };

  it('accepts a minimal block and fills the defaults', () => {
    const config = parseConfig(oidc());
    expect(config.authentication.oidc).toMatchObject({ claim: 'email', algorithms: ['RS256', 'ES256'], sessionSeconds: 28_800, clockSkewSeconds: 30, scopes: 'openid email profile' });
  });

  it('says what is wrong, with the path', () => {
    expect(issues(oidc({ issuer: 'http://sso.example.com' }))).toEqual([expect.stringMatching(/^authentication\.oidc\.issuer: the issuer must be https/)]);
    expect(issues(oidc({ clientSecret: 'env:CANDOR_NO_SUCH_SECRET' }))).toEqual(['authentication.oidc.clientSecret: environment variable CANDOR_NO_SUCH_SECRET is not set']);
    expect(issues(oidc({ cookie: { sameSite: 'none', secure: false } }))[0]).toMatch(/^authentication\.oidc\.cookie\.sameSite: browsers refuse SameSite=None/);
    expect(issues(oidc({ redirectUri: 'https://okrs.example.com/callback' }))[0]).toMatch(/\/auth\/callback/);
    expect(issues(oidc({ claim: 'phone' }))[0]).toMatch(/^authentication\.oidc\.claim:/);
    expect(issues(oidc({ algorithms: ['HS256'] }))[0]).toMatch(/^authentication\.oidc\.algorithms\[0\]/);
    const twins = oidc();
    (twins.people as { email?: string }[])[1]!.email = 'ALICE@example.com';
    expect(issues(twins)).toEqual([expect.stringMatching(/^people\[1\]\.email: the same email as "alice"/)]);
    expect(issues(testConfig({ embed: { frameAncestors: ['teams.microsoft.com'] } }))[0]).toMatch(/^embed\.frameAncestors\[0\]/);
    expect(issues(testConfig({ embed: { frameAncestors: ["'self'", 'https://*.sharepoint.com'] } }))).toEqual([]);
  });
});

describe('idempotency keys and sessions', () => {
  it('remembers an answer per person and key, bounded per person, for a time', () => {
    let clock = 1_000_000;
    const store = new IdempotencyStore(new Database(':memory:'), { perPerson: 3, ttlSeconds: 60, now: () => clock });
    const print = fingerprint('POST', 'comments', { b: 1, a: [1, { y: 2, x: 1 }] });
    expect(fingerprint('POST', 'comments', { a: [1, { x: 1, y: 2 }], b: 1 })).toBe(print);
    expect(fingerprint('POST', 'kudos', { a: [1, { x: 1, y: 2 }], b: 1 })).not.toBe(print);
    expect(store.recall('ana', 'k', print)).toEqual({ kind: 'new' });
    store.remember('ana', 'k', print, 'comments', { status: 201, body: '{}', location: '/v1/comments/x' });
    expect(store.recall('ana', 'k', print)).toEqual({ kind: 'replay', response: { status: 201, body: '{}', location: '/v1/comments/x' } });
    expect(store.recall('ana', 'k', 'other')).toEqual({ kind: 'conflict', route: 'comments' });
    expect(store.recall('ben', 'k', print)).toEqual({ kind: 'new' });
    for (const k of ['k2', 'k3', 'k4']) {
      clock += 1;
      store.remember('ana', k, print, 'comments', { status: 201, body: '{}' });
    }
    expect(store.count('ana')).toBe(3);
    expect(store.recall('ana', 'k', print).kind).toBe('new'); // the oldest went first
    clock += 61_000;
    expect(store.recall('ana', 'k4', print).kind).toBe('new'); // expired
  });

  it('sessions expire; a flow is taken once; cookies are HttpOnly with the attributes asked for', () => {
    let clock = 5_000_000;
    const sessions = new SessionStore(new Database(':memory:'), () => clock);
    const { id, session } = sessions.create('ana', 60);
    expect(sessions.get(id)).toEqual(session);
    expect(sessions.get(id + 'x')).toBeUndefined();
    clock += 61_000;
    expect(sessions.get(id)).toBeUndefined();
    const state = sessions.startFlow({ verifier: 'v', nonce: 'n', returnTo: '', redirectUri: 'http://x/auth/callback' })!;
    expect(sessions.takeFlow(state)).toMatchObject({ verifier: 'v', nonce: 'n' });
    expect(sessions.takeFlow(state)).toBeUndefined();
    expect(setCookie({ name: '__Host-candor-session', secure: true, sameSite: 'None' }, 'abc', 10)).toBe('__Host-candor-session=abc; Path=/; HttpOnly; SameSite=None; Max-Age=10; Secure');
    expect(cookiesOf({ headers: { cookie: 'a=1; candor-session=xyz; a=2' } } as IncomingMessage).get('candor-session')).toBe('xyz');
  });
});

describe('embeds', () => {
  it('take only known attributes, escaped; src is always the server document', () => {
    const q = new URLSearchParams({ 'objective-id': '"><img src=x onerror=alert(1)>', compact: 'false', live: '', onclick: 'x', src: 'https://evil.example' });
    expect(embedAttributes('candor-objective', q)).toEqual([['live', true], ['objective-id', '"><img src=x onerror=alert(1)>']]);
    const html = embedPage('candor-objective', q);
    expect(html).toContain('objective-id="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
    expect(html).not.toContain('onclick');
    expect(html).toContain('src="/v1/document"');
    expect(embedCsp({ embed: { frameAncestors: [] } })).toContain("frame-ancestors 'none'");
  });
});

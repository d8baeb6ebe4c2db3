// The HTTP write API on a real server process: POST check-ins, comments, kudos and reflections through the
// Workspace commands (live to WebSocket clients, in the update log and the history before the 201),
// withdrawal by the author, the record rule's refusals, Idempotency-Key, problem+json errors that name
// fields, limits, CORS, and a fast-check fuzz of the bodies. Every answer is checked against
// /v1/openapi.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CandorDocument } from '../../core/model/index.ts';
import { checkInIds, client, docUntil, prepare, startRedis, startServer, storedSpace, tempDir, testConfig, TOKENS, type RunningServer, type Who } from './harness.ts';
import { checkedFetch } from './openapi-check.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ORIGIN = 'https://intranet.example.com';

function api(server: RunningServer) {
  const checked = checkedFetch(server.http);
  const call = async (method: string, path: string, options: { who?: Who; token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
    const token = options.token ?? (options.who ? TOKENS[options.who] : undefined);
    const headers: Record<string, string> = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(options.body !== undefined || options.raw !== undefined ? { 'Content-Type': 'application/json' } : {}), ...options.headers };
    const res = await checked.fetch(path, { method, headers, ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };
  return {
    call,
    post: (path: string, body: unknown, who: Who = 'alice', headers: Record<string, string> = {}) => call('POST', path, { who, body, headers }),
    document: async (who: Who = 'alice') => (await call('GET', '/v1/document', { who })).json as CandorDocument,
    checked: checked.checked,
  };
}

describe('HTTP write API', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let dbPath: string;
  let bundle: string;
  let a: ReturnType<typeof api>;

  beforeAll(async () => {
    tmp = tempDir();
    const setup = prepare(tmp.dir, testConfig({ limits: { writesPerMinute: 100_000, maxBodyBytes: 8192 }, embed: { frameAncestors: ['https://teams.microsoft.com', 'https://*.sharepoint.com'] } }));
    dbPath = setup.dbPath;
    bundle = join(tmp.dir, 'candor-widgets.js');
    writeFileSync(bundle, 'export const candor = "widgets";\n');
    server = await startServer(setup, { env: { CANDOR_WIDGETS_BUNDLE: bundle } });
    a = api(server);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    tmp?.cleanup();
  });

  it('POST /v1/check-ins → 201 with the stored record and Location; live to a WebSocket client, in the update log, the document and the history', async () => {
    const bob = client(server.url, TOKENS.bob, ['person:alice']);
    try {
      await new Promise<void>((res) => {
        const off = bob.conn.subscribe((s) => {
          if (s.state === 'synced') {
            off();
            res();
          }
        });
        if (bob.conn.status.state === 'synced') res();
      });
      const res = await a.post('/v1/check-ins', { keyResultId: 'alice-public-kr', value: 42, confidence: 0.8, note: 'halfway' });
      expect(res.status).toBe(201);
      const record = res.json;
      expect(record).toMatchObject({ keyResultId: 'alice-public-kr', authorId: 'alice', value: 42, confidence: 0.8, note: 'halfway' });
      expect(typeof record.id).toBe('string');
      expect(Date.parse(record.at)).toBeGreaterThan(Date.now() - 60_000);
      expect(res.headers.get('location')).toBe(`/v1/check-ins/${record.id}`);
      // In SQLite's update log when the 201 arrives (WAL readers see committed writes).
      expect(checkInIds(storedSpace(dbPath, 'person:alice'))).toContain(record.id);
      // Live to bob's WebSocket client.
      await docUntil(bob.doc('person:alice'), () => checkInIds(bob.doc('person:alice')).includes(record.id), 5000, 'the check-in over the WebSocket');
      const doc = await a.document('bob');
      expect(doc.checkIns.find((c) => c.id === record.id)).toMatchObject({ authorId: 'alice', value: 42 });
      const again = await a.call('GET', res.headers.get('location')!, { who: 'bob' });
      expect(again.status).toBe(200);
      expect(again.json).toEqual(record);
      const history = await a.call('GET', '/v1/history?keyResult=alice-public-kr', { who: 'alice' });
      expect(history.json.entries.find((e: { id: string }) => e.id === record.id)).toMatchObject({ person: 'alice', kind: 'add', collection: 'checkIns', objectiveId: 'alice-public' });
    } finally {
      bob.conn.destroy();
    }
  });

  it('comments, kudos and reflections are written as the signed-in person', async () => {
    const comment = await a.post('/v1/comments', { target: { kind: 'objective', id: 'alice-team' }, text: 'nice progress' }, 'bob');
    expect(comment.status).toBe(201);
    expect(comment.json).toMatchObject({ authorId: 'bob', target: { kind: 'objective', id: 'alice-team' }, text: 'nice progress' });
    const kudos = await a.post('/v1/kudos', { target: { kind: 'person', id: 'bob' }, toIds: ['bob'], message: 'thanks!' }, 'alice');
    expect(kudos.status).toBe(201);
    expect(kudos.json).toMatchObject({ fromId: 'alice', toIds: ['bob'], message: 'thanks!' });
    const reflection = await a.post('/v1/reflections', { objectiveId: 'alice-public', score: 0.6, learned: 'ship earlier' }, 'alice');
    expect(reflection.status).toBe(201);
    expect(reflection.json).toMatchObject({ authorId: 'alice', score: 0.6, learned: 'ship earlier', wentWell: '', nextTime: '' });
    // Someone who is not alice's teammate may comment on her public objective (they may see it).
    const carol = await a.post('/v1/comments', { target: { kind: 'objective', id: 'alice-public' }, text: 'from another team' }, 'carol');
    expect(carol.status).toBe(201);
    const doc = await a.document('alice');
    expect(doc.comments.map((c) => c.id)).toEqual(expect.arrayContaining([comment.json.id, carol.json.id]));
    expect(doc.kudos.map((k) => k.id)).toContain(kudos.json.id);
    expect(doc.reflections.map((r) => r.id)).toContain(reflection.json.id);
  });

  it('refuses what the record rule refuses: a check-in on another team’s key result (403), a comment on an objective the person may not see', async () => {
    const other = await a.post('/v1/check-ins', { keyResultId: 'team-a-public-kr', value: 1, confidence: 0.5 }, 'carol');
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(other.json).toMatchObject({ type: 'urn:candor:problem:forbidden', status: 403 });
    expect(other.json.errors).toEqual([{ path: 'keyResultId', message: expect.stringContaining('may not check in on key result "team-a-public-kr"') }]);
    // carol-team is team-visible: alice is not carol's teammate. Not found, as if it did not exist.
    const hidden = await a.post('/v1/comments', { target: { kind: 'objective', id: 'carol-team' }, text: 'peek' }, 'alice');
    expect(hidden.status).toBe(422);
    expect(hidden.json.errors).toEqual([{ path: 'target.id', message: 'no objective with id "carol-team"' }]);
    // team-b is members-only: its public objective is not alice's to see either.
    const membersOnly = await a.post('/v1/comments', { target: { kind: 'keyResult', id: 'team-b-public-kr' }, text: 'peek' }, 'alice');
    expect(membersOnly.status).toBe(422);
    expect(membersOnly.json.errors[0].path).toBe('target.id');
    // Reflections are the objective's owners'.
    const reflection = await a.post('/v1/reflections', { objectiveId: 'alice-public', score: 0.5 }, 'carol');
    expect(reflection.status).toBe(403);
    expect(reflection.json.errors[0].path).toBe('objectiveId');
    // A value that does not fit the metric.
    const wrong = await a.post('/v1/check-ins', { keyResultId: 'alice-public-kr', done: true, confidence: 0.5 }, 'alice');
    expect(wrong.status).toBe(422);
    expect(wrong.json.errors).toEqual([{ path: 'value', message: 'a increase key result is checked in with a number' }]);
    const doc = await a.document('dave');
    expect(doc.comments.some((c) => c.text === 'peek')).toBe(false);
  });

  it('names every field at fault, and what the server fills', async () => {
    const res = await a.post('/v1/check-ins', { keyResultId: '', confidence: 1.5, value: 'ten', authorId: 'bob', id: 'x', colour: 'red' });
    expect(res.status).toBe(422);
    expect(res.json.type).toBe('urn:candor:problem:invalid-record');
    const byPath = Object.fromEntries(res.json.errors.map((e: { path: string; message: string }) => [e.path, e.message]));
    expect(byPath).toMatchObject({
      keyResultId: 'must not be empty',
      confidence: 'must be at most 1',
      value: 'expected a number, got "ten"',
      authorId: expect.stringContaining('is set by the server'),
      id: expect.stringContaining('is set by the server'),
      colour: 'is not a field of this record',
    });
    const kudos = await a.post('/v1/kudos', { target: { kind: 'person', id: 'bob' }, toIds: [] });
    expect(kudos.json.errors).toEqual([{ path: 'toIds', message: 'kudos need at least one recipient' }]);
    const nobody = await a.post('/v1/kudos', { target: { kind: 'person', id: 'bob' }, toIds: ['zed'] });
    expect(nobody.status).toBe(422);
    expect(nobody.json.errors).toEqual([{ path: 'toIds[0]', message: 'no person with id "zed"' }]);
  });

  it('Idempotency-Key: the same POST twice makes one record; the same key with another body is 422; keys are per person', async () => {
    const key = `key-${Date.now()}`;
    const body = { keyResultId: 'team-a-public-kr', value: 7, confidence: 0.9 };
    const first = await a.post('/v1/check-ins', body, 'alice', { 'Idempotency-Key': key });
    const second = await a.post('/v1/check-ins', { confidence: 0.9, value: 7, keyResultId: 'team-a-public-kr' }, 'alice', { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    const doc = await a.document('alice');
    expect(doc.checkIns.filter((c) => c.keyResultId === 'team-a-public-kr' && c.value === 7)).toHaveLength(1);
    const other = await a.post('/v1/check-ins', { ...body, value: 8 }, 'alice', { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ type: 'urn:candor:problem:idempotency-key-reused', errors: [{ path: 'Idempotency-Key' }] });
    // bob's key space is his own.
    const bob = await a.post('/v1/check-ins', body, 'bob', { 'Idempotency-Key': key });
    expect(bob.status).toBe(201);
    expect(bob.json.id).not.toBe(first.json.id);
    const bad = await a.post('/v1/check-ins', body, 'alice', { 'Idempotency-Key': 'x'.repeat(300) });
    expect(bad.status).toBe(400);
  });

  it('DELETE withdraws a check-in or comment, by its author only', async () => {
    const made = await a.post('/v1/check-ins', { keyResultId: 'alice-public-kr', value: 5, confidence: 0.5 }, 'alice');
    const path = made.headers.get('location')!;
    const notYours = await a.call('DELETE', path, { who: 'bob' });
    expect(notYours.status).toBe(403);
    expect(notYours.json).toMatchObject({ type: 'urn:candor:problem:not-author', errors: [{ path: 'id' }] });
    const unseen = await a.call('DELETE', path, { who: 'carol' });
    expect(unseen.status).toBe(404);
    expect((await a.call('DELETE', path, { who: 'alice' })).status).toBe(204);
    expect((await a.call('GET', path, { who: 'alice' })).status).toBe(404);
    expect((await a.call('DELETE', path, { who: 'alice' })).status).toBe(404);
    expect((await a.document('alice')).checkIns.some((c) => c.id === made.json.id)).toBe(false);
    const history = await a.call('GET', '/v1/history?keyResult=alice-public-kr', { who: 'alice' });
    expect(history.json.entries.filter((e: { id: string }) => e.id === made.json.id).map((e: { kind: string }) => e.kind)).toEqual(['add', 'remove']);
    const comment = await a.post('/v1/comments', { target: { kind: 'objective', id: 'alice-public' }, text: 'oops' }, 'carol');
    expect((await a.call('DELETE', comment.headers.get('location')!, { who: 'carol' })).status).toBe(204);
    expect((await a.call('DELETE', '/v1/kudos/whatever', { who: 'alice' })).status).toBe(405);
  });

  it('errors as problem+json: not JSON, not an object, wrong type, too large, unauthenticated, bad token, wrong method', async () => {
    const notJson = await a.call('POST', '/v1/comments', { who: 'alice', raw: '{"target": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.type).toBe('urn:candor:problem:invalid-json');
    const list = await a.call('POST', '/v1/comments', { who: 'alice', raw: '[1,2]' });
    expect(list.status).toBe(422);
    expect(list.json.errors).toEqual([{ path: '', message: 'expected a JSON object, got a list' }]);
    const form = await a.call('POST', '/v1/comments', { who: 'alice', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, raw: 'text=hi' });
    expect(form.status).toBe(415);
    const big = await a.post('/v1/comments', { target: { kind: 'objective', id: 'alice-public' }, text: 'x'.repeat(9000) });
    expect(big.status).toBe(413);
    expect(big.json.type).toBe('urn:candor:problem:body-too-large');
    const nobody = await a.call('POST', '/v1/comments', { body: { target: { kind: 'objective', id: 'alice-public' }, text: 'hi' } });
    expect(nobody.status).toBe(401);
    expect(nobody.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const bad = await a.call('POST', '/v1/comments', { token: 'candor_nope', body: { target: { kind: 'objective', id: 'alice-public' }, text: 'hi' } });
    expect(bad.status).toBe(401);
    expect(bad.json.errors[0].path).toBe('Authorization');
    const get = await a.call('PUT', '/v1/check-ins', { who: 'alice', body: {} });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('CORS: a preflight from an allowed page lists the methods and headers; another page is refused', async () => {
    const pre = await a.call('OPTIONS', '/v1/check-ins', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, idempotency-key, x-candor-csrf' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    expect(pre.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    for (const h of ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Candor-CSRF']) expect(pre.headers.get('access-control-allow-headers')).toContain(h);
    const item = await a.call('OPTIONS', '/v1/comments/abc', { headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'DELETE' } });
    expect(item.headers.get('access-control-allow-methods')).toBe('GET, DELETE, OPTIONS');
    const evil = await a.call('OPTIONS', '/v1/check-ins', { headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(evil.status).toBe(403);
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const post = await a.post('/v1/comments', { target: { kind: 'objective', id: 'alice-public' }, text: 'hi' }, 'alice', { Origin: 'https://evil.example' });
    expect(post.status).toBe(403);
    expect(post.json.type).toBe('urn:candor:problem:origin-not-allowed');
    const allowed = await a.post('/v1/comments', { target: { kind: 'objective', id: 'alice-public' }, text: 'from the intranet' }, 'alice', { Origin: ORIGIN });
    expect(allowed.status).toBe(201);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('Location');
  });

  it('embeds: one page per widget, known attributes only and escaped, the bundle from this server, frame-ancestors from the config', async () => {
    const page = await a.call('GET', '/embed/candor-team-board?team-id=team-a%22%3E%3Cscript%3Ealert(1)%3C/script%3E&live&onload=alert(1)&src=https://evil.example/doc');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<candor-team-board src="/v1/document" live team-id="team-a&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"></candor-team-board>');
    expect(page.text).not.toContain('onload');
    expect(page.text).not.toContain('evil.example');
    expect(page.text).toContain('<script type="module" src="/widgets/candor-widgets.js"></script>');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain('frame-ancestors https://teams.microsoft.com https://*.sharepoint.com');
    expect(csp).not.toContain('unsafe-inline');
    for (const tag of ['candor-progress', 'candor-key-result', 'candor-objective', 'candor-alignment-tree', 'candor-checkin-feed', 'candor-team-board', 'candor-checkin-form', 'candor-sparkline']) {
      expect((await a.call('GET', `/embed/${tag}`)).status, tag).toBe(200);
    }
    expect((await a.call('GET', '/embed/candor-nope')).status).toBe(404);
    const js = await a.call('GET', '/widgets/candor-widgets.js');
    expect(js.status).toBe(200);
    expect(js.text).toContain('candor');
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('access-control-allow-origin')).toBe('*');
    expect((await a.call('GET', '/widgets/candor-widgets.js', { headers: { 'If-None-Match': js.headers.get('etag')! } })).status).toBe(304);
    const script = await a.call('GET', '/embed/embed.js');
    expect(script.text).toContain('X-Candor-CSRF');
  });

  it('fuzzed bodies: never a 5xx, nothing stored unless 201, every error names a field', async () => {
    // Every record anyone can see (the four people together see every space's records).
    const everything = async () => {
      const ids = new Set<string>();
      for (const p of ['alice', 'bob', 'carol', 'dave'] as const) {
        const d = await a.document(p);
        for (const r of [...d.checkIns, ...d.comments, ...d.kudos, ...d.reflections]) ids.add(r.id);
      }
      return ids;
    };
    const before = await everything();
    const created = new Set<string>();
    const id = fc.oneof(fc.constantFrom('alice-public-kr', 'team-a-public-kr', 'company-public-kr', 'alice-public', 'team-a-public', 'company-public', 'alice', 'bob', 'team-a', 'nope', ''), fc.string({ maxLength: 8 }));
    const target = fc.oneof(fc.record({ kind: fc.constantFrom('objective', 'keyResult', 'checkIn', 'reflection', 'person', 'team', 'planet'), id }), fc.anything({ maxDepth: 1 }));
    const num = fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: -5, max: 200 }), fc.constantFrom(0, 0.5, 1), fc.string({ maxLength: 3 }));
    const field = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const bodies = {
      'check-ins': fc.record(
        { keyResultId: field(id), value: field(num), milestonesDone: field(fc.array(id, { maxLength: 3 })), done: field(fc.oneof(fc.boolean(), fc.constant('yes'))), confidence: field(num), note: field(fc.string({ maxLength: 20 })), blockers: field(fc.string({ maxLength: 20 })), at: field(fc.constant('2026-01-01T00:00:00Z')), extra: field(fc.anything({ maxDepth: 1 })) },
        { requiredKeys: [] },
      ),
      comments: fc.record({ target: field(target), text: field(fc.oneof(fc.string({ maxLength: 30 }), fc.integer())), authorId: field(id) }, { requiredKeys: [] }),
      kudos: fc.record({ target: field(target), toIds: field(fc.oneof(fc.array(id, { maxLength: 3 }), fc.string())), message: field(fc.oneof(fc.string({ maxLength: 30 }), fc.constant(null))) }, { requiredKeys: [] }),
      reflections: fc.record({ objectiveId: field(id), score: field(num), wentWell: field(fc.string({ maxLength: 10 })), learned: field(fc.oneof(fc.string({ maxLength: 10 }), fc.boolean())), nextTime: field(fc.string({ maxLength: 10 })) }, { requiredKeys: [] }),
    };
    const who = fc.constantFrom<Who>('alice', 'bob', 'carol', 'dave');
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    // Bodies that are valid in shape (the rule still refuses some, by who sends them), so 201s mix with refusals.
    const valid = {
      'check-ins': fc.record({ keyResultId: fc.constantFrom('alice-public-kr', 'team-a-public-kr', 'company-public-kr', 'alice-team-kr'), value: fc.integer({ min: 0, max: 100 }), confidence: unit, note: field(fc.string({ maxLength: 20 })) }, { requiredKeys: ['keyResultId', 'value', 'confidence'] }),
      comments: fc.record({ target: fc.record({ kind: fc.constant('objective'), id: fc.constantFrom('alice-public', 'team-a-public', 'company-public', 'alice-team', 'carol-team') }), text: fc.string({ minLength: 1, maxLength: 30 }) }),
      kudos: fc.record({ target: fc.record({ kind: fc.constant('person'), id: fc.constantFrom('alice', 'bob') }), toIds: fc.array(fc.constantFrom('alice', 'bob', 'carol'), { minLength: 1, maxLength: 2 }), message: field(fc.string({ maxLength: 30 })) }, { requiredKeys: ['target', 'toIds'] }),
      reflections: fc.record({ objectiveId: fc.constantFrom('alice-public', 'team-a-public', 'company-public'), score: unit }),
    };
    const request = fc.oneof(
      ...Object.entries(valid).map(([route, body]) => fc.record({ route: fc.constant(route), who, body: body as fc.Arbitrary<unknown> })),
      ...Object.entries(bodies).map(([route, body]) => fc.record({ route: fc.constant(route), who, body: body as fc.Arbitrary<unknown> })),
      fc.record({ route: fc.constantFrom(...Object.keys(bodies)), who, body: fc.anything({ maxDepth: 2 }) }),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ route, who: person, body }) => {
        const json = JSON.stringify(body, (_k, v) => (v === undefined ? undefined : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
        const res = await a.call('POST', `/v1/${route}`, { who: person, raw: json ?? 'null' });
        expect(res.status).toBeLessThan(500);
        if (res.status === 201) {
          created.add(res.json.id);
          return;
        }
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.json.errors?.length).toBeGreaterThan(0);
        const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
        for (const e of res.json.errors) {
          expect(typeof e.message).toBe('string');
          expect(e.message.length).toBeGreaterThan(0);
          if (isObject && res.status === 422) expect(e.path, JSON.stringify(res.json)).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
    // Nothing stored but the 201s: what is new is exactly what was answered 201.
    const after = await everything();
    const added = [...after].filter((id) => !before.has(id)).sort();
    expect(added).toEqual([...created].sort());
    expect(created.size).toBeGreaterThan(0);
  });
});

describe('HTTP write API limits', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;

  beforeAll(async () => {
    tmp = tempDir();
    server = await startServer(prepare(tmp.dir, testConfig({ limits: { writesPerMinute: 3 } })));
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    tmp?.cleanup();
  });

  it('rate-limits writes per person: 429 with Retry-After; another person is not affected', async () => {
    const a = api(server);
    const body = { target: { kind: 'objective', id: 'alice-public' }, text: 'hello' };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await a.post('/v1/comments', body, 'alice')).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const limited = await a.post('/v1/comments', body, 'alice');
    expect(limited.json.type).toBe('urn:candor:problem:rate-limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await a.post('/v1/comments', body, 'bob')).status).toBe(201);
    expect(a.checked()).toBeGreaterThan(5);
  });
});

describe('HTTP write API with Redis scale-out', () => {
  let tmp: ReturnType<typeof tempDir>;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    tmp = tempDir();
    redis = await startRedis();
    const setupA = prepare(tmp.dir, undefined, undefined, 'a.sqlite');
    const setupB = prepare(tmp.dir, undefined, undefined, 'b.sqlite');
    [a, b] = await Promise.all([startServer(setupA, { env: { REDIS_URL: redis.url } }), startServer(setupB, { env: { REDIS_URL: redis.url } })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await redis?.stop();
    tmp?.cleanup();
  });

  it('a check-in POSTed to instance A reaches a WebSocket client on instance B', async () => {
    const reader = client(b.url, TOKENS.bob, ['person:alice']);
    try {
      await reader.conn.whenSynced();
      const res = await api(a).post('/v1/check-ins', { keyResultId: 'alice-public-kr', value: 61, confidence: 0.6 }, 'alice');
      expect(res.status).toBe(201);
      await docUntil(reader.doc('person:alice'), () => checkInIds(reader.doc('person:alice')).includes(res.json.id), 8000, 'the check-in on B');
    } finally {
      reader.conn.destroy();
    }
  });
});

// The HTTP face of the team server: /v1/document (views, ETag, CORS, anonymous) and /v1/events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandorDocument } from '../../core/model/index.ts';
import { parseDocument } from '../../core/model/index.ts';
import { checkIn, client, prepare, startServer, tempDir, TOKENS, type RunningServer } from './harness.ts';

const ORIGIN = 'https://intranet.example.com';

async function getDoc(server: RunningServer, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.http}/v1/document`, { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } });
  return res;
}

const ids = (doc: CandorDocument) => doc.objectives.map((o) => o.id).sort();

/** Reads Server-Sent Events from a fetch body; `next(name)` resolves with the next event of that name. */
function sse(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: { event: string; data: string; id?: string }[] = [];
  const waiters: (() => void)[] = [];
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          if (i > 0) fields[line.slice(0, i)] = line.slice(i + 1).trimStart();
        }
        if (fields.event || fields.data) events.push({ event: fields.event ?? 'message', data: fields.data ?? '', id: fields.id });
        waiters.splice(0).forEach((w) => w());
      }
    }
  })();
  return {
    events,
    async next(name: string, after = 0, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.slice(after).find((e) => e.event === name);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no "${name}" event within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, deadline - Date.now());
        });
      }
    },
    close: () => reader.cancel(),
  };
}

describe('HTTP document and events', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;

  beforeAll(async () => {
    tmp = tempDir();
    server = await startServer(prepare(tmp.dir));
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    tmp?.cleanup();
  });

  it('serves a valid Candor document with an ETag, and 304 for If-None-Match', async () => {
    const res = await getDoc(server, TOKENS.alice);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const parsed = parseDocument(await res.json());
    expect(parsed.ok).toBe(true);
    const again = await getDoc(server, TOKENS.alice, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // Another viewer sees another document, so another ETag.
    const bob = await getDoc(server, TOKENS.bob, { 'If-None-Match': etag });
    expect(bob.status).toBe(200);
    expect(bob.headers.get('etag')).not.toBe(etag);
  });

  it('a requester sees only what they may read', async () => {
    const read = async (token?: string) => (await (await getDoc(server, token)).json()) as CandorDocument;
    const alice = await read(TOKENS.alice);
    const bob = await read(TOKENS.bob);
    const carol = await read(TOKENS.carol);
    const anonymous = await read();
    // alice-team is team-visible: alice and her teammate bob; carol-team only carol; team-b is members-only.
    expect(ids(alice)).toEqual(['alice-public', 'alice-team', 'company-public', 'team-a-public']);
    expect(ids(bob)).toEqual(['alice-public', 'alice-team', 'company-public', 'team-a-public']);
    expect(ids(carol)).toEqual(['alice-public', 'carol-team', 'company-public', 'team-a-public', 'team-b-public']);
    expect(ids(anonymous)).toEqual(['alice-public', 'company-public', 'team-a-public']);
    // Key results and comments follow their objectives.
    expect(carol.keyResults.map((k) => k.objectiveId)).not.toContain('alice-team');
    expect(carol.comments.map((c) => c.id)).toEqual(['c2']);
    expect(bob.comments.map((c) => c.id).sort()).toEqual(['c1', 'c2']);
    // Anonymous readers get names, not email addresses; members get both (from the config's directory).
    expect(anonymous.people.find((p) => p.id === 'alice')).not.toHaveProperty('email');
    expect(alice.people.find((p) => p.id === 'alice')?.email).toBe('alice@example.com');
    // A bad token is refused, not treated as anonymous.
    const bad = await getDoc(server, 'candor_wrong-token-000000000000000000000000000');
    expect(bad.status).toBe(401);
    expect((await bad.json()).message).toMatch(/invalid-token/);
  });

  it('sends CORS headers to allowed origins only, and refuses others', async () => {
    const ok = await getDoc(server, TOKENS.alice, { Origin: ORIGIN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('vary')).toMatch(/Origin/);
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/ETag/);
    const refused = await getDoc(server, TOKENS.alice, { Origin: 'https://evil.example.com' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${server.http}/v1/document`, { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const badPreflight = await fetch(`${server.http}/v1/document`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example.com' } });
    expect(badPreflight.status).toBe(403);
  });

  it('announces a check-in on /v1/events, and the new ETag fetches the new document', async () => {
    const before = await getDoc(server, TOKENS.bob);
    const etag0 = before.headers.get('etag')!;
    const stream = sse(await fetch(`${server.http}/v1/events?token=${TOKENS.bob}`, { headers: { Origin: ORIGIN } }));
    const writer = client(server.url, TOKENS.alice, ['person:alice']);
    await writer.conn.whenSynced();
    const id = checkIn(writer.doc('person:alice'), 'alice-public-kr', 'alice', 42);
    await writer.conn.flushed();
    const change = await stream.next('change');
    const { etag } = JSON.parse(change.data) as { etag: string };
    expect(etag).not.toBe(etag0);
    expect(change.id).toBe(etag);
    const after = await getDoc(server, TOKENS.bob, { 'If-None-Match': etag0 });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).toBe(etag);
    expect(((await after.json()) as CandorDocument).checkIns.map((c) => c.id)).toContain(id);
    // A reconnecting EventSource that missed a change hears about it at once.
    const late = sse(await fetch(`${server.http}/v1/events?token=${TOKENS.bob}`, { headers: { 'Last-Event-ID': etag0 } }));
    expect(JSON.parse((await late.next('change')).data).etag).toBe(etag);
    writer.conn.destroy();
    await stream.close();
    await late.close();
  });

  it('answers /healthz and refuses anonymous reading when the config does not allow it', async () => {
    const health = await (await fetch(`${server.http}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, organisation: 'Test Org' });
    const dir = tempDir();
    const closed = await startServer(prepare(dir.dir, { ...(await import('./harness.ts')).testConfig({ anonymousRead: false }) }));
    try {
      const res = await fetch(`${closed.http}/v1/document`);
      expect(res.status).toBe(401);
      expect((await res.json()).message).toMatch(/anonymous/);
      const events = await fetch(`${closed.http}/v1/events`);
      expect(events.status).toBe(401);
    } finally {
      await closed.stop('SIGKILL');
      dir.cleanup();
    }
  });
});

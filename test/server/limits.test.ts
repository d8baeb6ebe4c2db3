// Limits with clear errors: spaces per connection, new connections per token, JWT sign-in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../server/auth.ts';
import { client, prepare, startServer, tempDir, testConfig, TOKENS, until, type RunningServer } from './harness.ts';

const SECRET = 'limits-test-secret-0123456789abcdef';

describe('limits and JWT sign-in (real server)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;

  beforeAll(async () => {
    tmp = tempDir();
    server = await startServer(
      prepare(tmp.dir, testConfig({ limits: { maxSpacesPerConnection: 2, connectionsPerMinute: 2 }, authentication: { tokens: true, jwt: { secret: SECRET } } })),
    );
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    tmp?.cleanup();
  });

  it('refuses a third space on one connection', async () => {
    const c = client(server.url, TOKENS.bob, ['company', 'person:bob', 'team:team-a']);
    const s = await until(c.conn, (st) => st.state === 'error');
    expect(s.reason).toMatch(/at most 2 spaces/);
    expect(s.spaces.filter((x) => x.access === 'refused')).toHaveLength(1);
    c.conn.destroy();
  });

  it('refuses a token opening connections too fast, saying when to retry', async () => {
    const first = client(server.url, TOKENS.carol, ['person:carol']);
    const second = client(server.url, TOKENS.carol, ['person:carol']);
    await Promise.all([first.conn.whenSynced(), second.conn.whenSynced()]);
    const third = client(server.url, TOKENS.carol, ['person:carol']);
    const s = await until(third.conn, (st) => st.state === 'error');
    expect(s.reason).toMatch(/too many connections; .*retry in \d+ s/);
    // Another token is not affected.
    const other = client(server.url, TOKENS.alice, ['person:alice']);
    await other.conn.whenSynced();
    for (const c of [first, second, third, other]) c.conn.destroy();
  });

  it('accepts an HS256 JWT whose sub is a person, and refuses an expired one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ok = client(server.url, signJwt({ sub: 'dave', exp: now + 60 }, SECRET), ['company']);
    await ok.conn.whenSynced();
    expect(ok.conn.status.spaces[0]!.access).toBe('read-write'); // dave is an admin
    const expired = client(server.url, signJwt({ sub: 'dave', exp: now - 3600 }, SECRET), ['company']);
    const s = await until(expired.conn, (st) => st.state === 'error');
    expect(s.reason).toMatch(/expired/);
    const res = await fetch(`${server.http}/v1/document`, { headers: { Authorization: `Bearer ${signJwt({ sub: 'dave', iat: now, exp: now + 600 }, SECRET)}` } });
    expect(res.status).toBe(200);
    ok.conn.destroy();
    expired.conn.destroy();
  });
});

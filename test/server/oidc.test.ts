// Sign-in with a real OpenID provider (oidc-provider on loopback, test/server/oidc.ts) against a real
// server process: bearer JWTs verified against the provider's JWKS (audience, expiry, rotation), and the
// authorization-code flow with PKCE ending in a session cookie whose writes need an allowed Origin and
// the CSRF token. Every answer is checked against /v1/openapi.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInIds, client, docUntil, freePort, prepare, startServer, tempDir, testConfig, TOKENS, until, type RunningServer } from './harness.ts';
import { checkedFetch } from './openapi-check.ts';
import { AUDIENCE, CLIENT_ID, CLIENT_SECRET, startOidcProvider, USERS, type TestProvider } from './oidc.ts';

const ORIGIN = 'https://intranet.example.com';
const now = () => Math.floor(Date.now() / 1000);

describe('sign-in with OpenID Connect', () => {
  let tmp: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let provider: TestProvider;
  let http: ReturnType<typeof checkedFetch>;

  beforeAll(async () => {
    tmp = tempDir();
    const port = await freePort();
    provider = await startOidcProvider({ redirectUris: [`http://127.0.0.1:${port}/auth/callback`] });
    const config = testConfig({
      // Many refusals from one test client on one connection: the failure budgets are not what is tested here.
      limits: { authFailuresPerMinute: 1000, authFailuresPerSocket: 1000 },
      authentication: {
        tokens: true,
        oidc: {
          issuer: provider.issuer,
          clientId: CLIENT_ID,
          clientSecret: 'env:CANDOR_TEST_OIDC_SECRET',
          audience: AUDIENCE,
          claim: 'email',
          redirectUri: `http://127.0.0.1:${port}/auth/callback`,
          jwksCooldownSeconds: 0,
          sessionSeconds: 3600,
        },
      },
    });
    (config.people as { id: string; email?: string }[]).find((p) => p.id === 'bob')!.email = USERS.bob!.email;
    server = await startServer(prepare(tmp.dir, config), { port, env: { CANDOR_TEST_OIDC_SECRET: CLIENT_SECRET } });
    http = checkedFetch(server.http);
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await provider?.stop();
    tmp?.cleanup();
  });

  const jwt = (claims: Record<string, unknown> = {}, options: { kid?: string } = {}) =>
    provider.sign({ sub: USERS.alice!.sub, email: USERS.alice!.email, aud: AUDIENCE, iat: now(), exp: now() + 600, ...claims }, options);
  const post = (path: string, body: unknown, headers: Record<string, string>) =>
    http.fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('a bearer JWT from the provider posts a check-in: 201, in /v1/document and live on a WebSocket client', async () => {
    const bob = client(server.url, TOKENS.bob, ['person:alice']);
    try {
      const token = await jwt();
      const res = await post('/v1/check-ins', { keyResultId: 'alice-public-kr', value: 33, confidence: 0.7 }, { Authorization: `Bearer ${token}` });
      expect(res.status).toBe(201);
      const record = await res.json();
      expect(record.authorId).toBe('alice');
      const doc = await (await http.fetch('/v1/document', { headers: { Authorization: `Bearer ${token}` } })).json();
      expect(doc.checkIns.some((c: { id: string }) => c.id === record.id)).toBe(true);
      await docUntil(bob.doc('person:alice'), () => checkInIds(bob.doc('person:alice')).includes(record.id), 8000, 'the check-in on the WebSocket');
      // The same JWT signs a WebSocket in (the provider token), as tokens do.
      const live = client(server.url, token, ['person:alice']);
      try {
        await until(live.conn, (st) => st.state === 'synced', 8000, 'a WebSocket signed in with the JWT');
        expect(checkInIds(live.doc('person:alice'))).toContain(record.id);
      } finally {
        live.conn.destroy();
      }
      // The RS256 key signs too.
      const rs = await jwt({}, { kid: provider.keys.find((k) => k.alg === 'RS256')!.kid });
      expect((await http.fetch('/v1/session', { headers: { Authorization: `Bearer ${rs}` } })).status).toBe(200);
    } finally {
      bob.conn.destroy();
    }
  });

  it('refuses a token for another audience, an expired token, a JWT without exp, one from another issuer, an unknown person', async () => {
    const body = { target: { kind: 'objective', id: 'alice-public' }, text: 'hi' };
    const cases: [string, Promise<string>, RegExp][] = [
      ['another audience', jwt({ aud: 'some-other-api' }), /audience/],
      ['expired', jwt({ iat: now() - 7200, exp: now() - 3600 }), /token-expired/],
      ['no exp', provider.sign({ sub: USERS.alice!.sub, email: USERS.alice!.email, aud: AUDIENCE, iat: now() }), /no expiry/],
      ['another issuer', jwt({ iss: 'https://evil.example' }), /issuer/],
      ['unknown person', jwt({ email: 'mallory@example.com' }), /unknown-person/],
      ['too long-lived', jwt({ exp: now() + 30 * 86_400 }), /lifetime/],
    ];
    for (const [what, token, reason] of cases) {
      const res = await post('/v1/comments', body, { Authorization: `Bearer ${await token}` });
      expect(res.status, what).toBe(401);
      const problem = await res.json();
      expect(problem.type, what).toBe('urn:candor:problem:unauthenticated');
      expect(problem.detail, what).toMatch(reason);
      // The read routes refuse it too.
      expect((await http.fetch('/v1/document', { headers: { Authorization: `Bearer ${await token}` } })).status, what).toBe(401);
    }
  });

  it('key rotation: once the provider stops listing a key and the set is refreshed, tokens signed with it are refused', async () => {
    const old = await jwt();
    const body = { target: { kind: 'objective', id: 'alice-public' }, text: 'before rotation' };
    expect((await post('/v1/comments', body, { Authorization: `Bearer ${old}` })).status).toBe(201);
    await provider.rotate();
    const fresh = await jwt(); // signed with the new key: the server fetches the key set again
    expect((await post('/v1/comments', { ...body, text: 'new key' }, { Authorization: `Bearer ${fresh}` })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1100)); // past the per-connection reuse of a verified token
    const refused = await post('/v1/comments', { ...body, text: 'old key' }, { Authorization: `Bearer ${old}` });
    expect(refused.status).toBe(401);
    expect((await refused.json()).detail).toMatch(/key the identity provider does not list/);
  });

  it('the code flow with PKCE ends in a session cookie that posts a comment with its CSRF token', async () => {
    const returnTo = `${ORIGIN}/okrs`;
    const login = await http.fetch(`/auth/login?return=${encodeURIComponent(returnTo)}`);
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT_ID);
    const flowCookie = login.headers.getSetCookie().find((c) => c.startsWith('candor-auth-flow='))!;
    expect(flowCookie).toMatch(/HttpOnly/);
    expect(flowCookie).toMatch(/SameSite=Lax/);

    const back = await provider.login(authorize.href, 'bob');
    expect(back.pathname).toBe('/auth/callback');
    const flow = flowCookie.split(';')[0]!;
    // The callback from a browser that did not start this flow is refused.
    const stranger = await http.fetch(back.pathname + back.search);
    expect(stranger.status).toBe(403);
    const callback = await http.fetch(back.pathname + back.search, { headers: { Cookie: flow } });
    const html = await callback.text();
    expect(callback.status, html).toBe(200);
    expect(html).toContain('candor-signed-in');
    expect(html).toContain(JSON.stringify(ORIGIN)); // posted to the return page's origin only
    const csp = callback.headers.get('content-security-policy')!;
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(html).toContain(`<script nonce="${nonce}">`);
    const sessionCookie = callback.headers.getSetCookie().find((c) => c.startsWith('candor-session='))!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Lax/); // plain http here: SameSite=None needs Secure
    expect(sessionCookie).toMatch(/Max-Age=3600/);
    const cookie = sessionCookie.split(';')[0]!;
    // The same callback again: the flow was used.
    expect((await http.fetch(back.pathname + back.search, { headers: { Cookie: flow } })).status).toBe(404);

    const session = await http.fetch('/v1/session', { headers: { Cookie: cookie, Origin: ORIGIN } });
    expect(session.status).toBe(200);
    expect(session.headers.get('access-control-allow-credentials')).toBe('true');
    const me = await session.json();
    expect(me).toMatchObject({ personId: 'bob', name: 'Bob', via: 'cookie' });
    expect(Date.parse(me.expiresAt)).toBeGreaterThan(Date.now() + 3000_000);
    const body = { target: { kind: 'objective', id: 'alice-public' }, text: 'signed in with the company account' };

    const ok = await post('/v1/comments', body, { Cookie: cookie, Origin: ORIGIN, 'X-Candor-CSRF': me.csrfToken });
    expect(ok.status).toBe(201);
    expect((await ok.json()).authorId).toBe('bob');
    // Read routes take the cookie too.
    const doc = await (await http.fetch('/v1/document', { headers: { Cookie: cookie } })).json();
    expect(doc.comments.some((c: { text: string }) => c.text === body.text)).toBe(true);

    // Refused: no CSRF token, a wrong one, an origin not allowed, no origin.
    const noToken = await post('/v1/comments', body, { Cookie: cookie, Origin: ORIGIN });
    expect(noToken.status).toBe(403);
    expect((await noToken.json()).type).toBe('urn:candor:problem:csrf');
    expect((await post('/v1/comments', body, { Cookie: cookie, Origin: ORIGIN, 'X-Candor-CSRF': 'forged' })).status).toBe(403);
    const evil = await post('/v1/comments', body, { Cookie: cookie, Origin: 'https://evil.example', 'X-Candor-CSRF': me.csrfToken });
    expect(evil.status).toBe(403);
    expect((await evil.json()).type).toBe('urn:candor:problem:origin-not-allowed');
    expect((await post('/v1/comments', body, { Cookie: cookie, 'X-Candor-CSRF': me.csrfToken })).status).toBe(403);

    // Sign out: the cookie no longer signs in.
    const out = await http.fetch('/auth/logout', { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN, 'X-Candor-CSRF': me.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie()[0]).toMatch(/^candor-session=; .*Max-Age=0/);
    const gone = await http.fetch('/v1/session', { headers: { Cookie: cookie } });
    expect(gone.status).toBe(401);
    expect((await gone.json()).loginUrl).toBe('/auth/login');
  });

  it('refuses a return page whose origin is not allowed (no open redirect, no message to a stranger)', async () => {
    const res = await http.fetch(`/auth/login?return=${encodeURIComponent('https://evil.example/steal')}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('OpenAPI describes every route it was asked about', () => {
    expect(http.checked()).toBeGreaterThan(20);
  });
});

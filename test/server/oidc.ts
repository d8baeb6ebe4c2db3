// A real OpenID provider for the sign-in tests: `oidc-provider` on loopback, with our own signing keys
// (jose), one confidential test client, two users matching people of the test config, the memory
// adapter, and a programmatic login (the provider's dev interactions, driven over HTTP with a cookie
// jar) so a test can complete the authorization-code flow without a browser. oidc-provider prints a
// warning on Node < 22; it works.
import type { Server } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { freePort } from './harness.ts';

export const CLIENT_ID = 'candor-test';
export const CLIENT_SECRET = 'candor-test-secret-0123456789abcdef';
export const AUDIENCE = 'api://candor';

/** The provider's users: their ids (`sub`) are not Candor's person ids; emails match the test config. */
export const USERS: Record<string, { sub: string; email: string; name: string }> = {
  alice: { sub: 'idp-0001', email: 'alice@example.com', name: 'Alice' },
  bob: { sub: 'idp-0002', email: 'bob@example.com', name: 'Bob' },
};

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateJwk: JWK;
  key: CryptoKey;
}

async function newKey(alg: 'RS256' | 'ES256', kid: string): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateJwk, key: privateKey as CryptoKey };
}

export interface TestProvider {
  issuer: string;
  port: number;
  keys: SigningKey[];
  /** Signs a JWT with one of the provider's keys (default the first), issuer set; `exp` only if given. */
  sign(claims: Record<string, unknown>, options?: { kid?: string; key?: SigningKey }): Promise<string>;
  /** Replaces the provider's keys with fresh ones (the old ones no longer listed in its JWKS). */
  rotate(): Promise<SigningKey[]>;
  /**
   * Completes the provider's side of a code flow: follows `authorizeUrl`, signs in as `user` on the dev
   * login form, and returns the redirect to the client's callback (with `code` and `state`).
   */
  login(authorizeUrl: string, user: keyof typeof USERS): Promise<URL>;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: { redirectUris: string[]; port?: number }): Promise<TestProvider> {
  const port = options.port ?? (await freePort());
  const issuer = `http://127.0.0.1:${port}`;
  let keys = [await newKey('ES256', 'es-1'), await newKey('RS256', 'rs-1')];
  let generation = 1;
  let server: Server | undefined;

  const byAccount = new Map(Object.values(USERS).map((u) => [u.sub, u]));
  const configuration = (): Configuration => ({
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: keys.map((k) => k.privateJwk) as never },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    findAccount: async (_ctx, sub) => {
      const user = byAccount.get(sub) ?? Object.values(USERS).find((u) => u.email === sub || u.name.toLowerCase() === sub);
      if (!user) return undefined;
      return { accountId: user.sub, claims: async () => ({ sub: user.sub, email: user.email, email_verified: true, name: user.name }) };
    },
    // Consent is implied for the test client: the login form is the only interaction.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'email_verified', 'name']);
      await grant.save();
      return grant;
    },
  });

  const listen = async () => {
    const provider = new Provider(issuer, configuration());
    server = provider.listen(port, '127.0.0.1');
    await new Promise<void>((res, rej) => {
      server!.once('listening', () => res());
      server!.once('error', rej);
    });
  };
  const close = () =>
    new Promise<void>((res) => {
      if (!server) return res();
      server.closeAllConnections?.();
      server.close(() => res());
      server = undefined;
    });
  await listen();

  const sign: TestProvider['sign'] = async (claims, opts = {}) => {
    const key = opts.key ?? keys.find((k) => k.kid === opts.kid) ?? keys[0]!;
    return new SignJWT({ iss: issuer, ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.key);
  };

  const login: TestProvider['login'] = async (authorizeUrl, user) => {
    const jar = new Map<string, string>();
    const remember = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const eq = pair!.indexOf('=');
        jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
      }
    };
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    let url = new URL(authorizeUrl);
    for (let hop = 0; hop < 10; hop++) {
      if (url.origin !== issuer) return url; // back at the client
      const res = await fetch(url, { redirect: 'manual', headers: { cookie: cookie() } });
      remember(res);
      if (res.status >= 300 && res.status < 400) {
        url = new URL(res.headers.get('location')!, url);
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action || !/name="login"/.test(html)) throw new Error(`the provider answered ${res.status} without a login form:\n${html.slice(0, 800)}`);
      const post = await fetch(new URL(action.replace(/&amp;/g, '&'), url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login: USERS[user]!.sub, password: 'any' }),
      });
      remember(post);
      if (post.status < 300 || post.status >= 400) throw new Error(`login answered ${post.status}: ${(await post.text()).slice(0, 500)}`);
      url = new URL(post.headers.get('location')!, url);
    }
    throw new Error('too many redirects at the provider');
  };

  return {
    issuer,
    port,
    get keys() {
      return keys;
    },
    sign,
    login,
    rotate: async () => {
      generation++;
      keys = [await newKey('ES256', `es-${generation}`), await newKey('RS256', `rs-${generation}`)];
      await close();
      await listen();
      return keys;
    },
    stop: close,
  };
}

/**
 * Sign-in with the company's OpenID Connect provider (Entra ID, Okta, Keycloak, Google Workspace).
 *
 * - **Bearer JWTs** (`Authorization: Bearer <jwt>`, RS256/ES256/… as configured): verified with `jose`
 *   against the provider's JWKS (from discovery), which is cached and fetched again when a token names a
 *   key it does not hold (at most once per `jwksCooldownSeconds`); a key the provider no longer lists
 *   is refused once the set has been refreshed. `iss`, `aud` and `exp` are required, `nbf`/`iat`
 *   checked, all with `clockSkewSeconds`; a JWT living longer than `maxLifetimeSeconds` is refused.
 * - **The authorization-code flow with PKCE** (`openid-client`), run by this server for widgets in
 *   browsers: see server/api/auth-routes.ts.
 *
 * People are matched by the configured claim: `email` against `people[].email` (case-insensitive; an
 * `email_verified: false` is refused) or `sub` against `people[].subject`, else `people[].id`.
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { Authenticator, CandorAuthError, CandorRateLimitError, TOKEN_PREFIX, type ScryptFn } from '../auth.ts';
import { resolveSecret, type OidcConfig, type ServerConfig } from '../config.ts';

/** The provider could not be reached (discovery or keys): not the token's fault; retry. */
export class CandorUnavailableError extends CandorRateLimitError {
  override name = 'CandorUnavailableError';
}

const LOOPBACK_HTTP = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;
const MAX_CACHED = 10_000;
/**
 * How long a connection may reuse a verified JWT before it is checked again against the key set as
 * last fetched (cheap: a lookup), so a key the provider rotated out stops signing anyone in at once.
 */
const REVALIDATE_MS = 1000;

export interface Verified {
  person: string;
  /** When the token (and so this sign-in) expires, ms since the epoch. */
  until: number;
  claims: JWTPayload;
}

export class OidcSignIn {
  private discovered: Promise<client.Configuration> | undefined;
  private failedAt = 0;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly byEmail = new Map<string, string>();
  private readonly bySubject = new Map<string, string>();
  private readonly audience: string | string[];

  constructor(
    readonly config: OidcConfig,
    people: ServerConfig['people'],
  ) {
    for (const p of people) {
      if (p.email) this.byEmail.set(p.email.toLowerCase(), p.id);
      this.bySubject.set(p.subject ?? p.id, p.id);
    }
    this.audience = config.audience ?? config.clientId;
  }

  /** The provider's configuration (discovery), fetched once; a failure is retried after 5 s. */
  configuration(): Promise<client.Configuration> {
    if (this.discovered) return this.discovered;
    if (Date.now() - this.failedAt < 5000) return Promise.reject(new CandorUnavailableError('unavailable: the identity provider could not be reached; retry in 5 s', 5));
    const secret = this.config.clientSecret === undefined ? undefined : resolveSecret(this.config.clientSecret);
    const insecure = LOOPBACK_HTTP.test(this.config.issuer);
    const found = client
      .discovery(new URL(this.config.issuer), this.config.clientId, secret, secret === undefined ? client.None() : undefined, {
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      })
      .then((configuration) => {
        const meta = configuration.serverMetadata();
        if (!meta.jwks_uri) throw new Error('the provider publishes no jwks_uri');
        this.jwks = createRemoteJWKSet(new URL(meta.jwks_uri), {
          cacheMaxAge: this.config.jwksCacheSeconds * 1000,
          cooldownDuration: this.config.jwksCooldownSeconds * 1000,
          timeoutDuration: 5000,
        });
        return configuration;
      });
    this.discovered = found;
    found.catch(() => {
      this.discovered = undefined;
      this.failedAt = Date.now();
    });
    return found.catch((e: unknown) => {
      throw new CandorUnavailableError(`unavailable: the identity provider's discovery document could not be read (${(e as Error).message}); retry in 5 s`, 5);
    });
  }

  /** The key ids the provider's key set lists now (as last fetched). */
  listedKeys(): Set<string> {
    return new Set((this.jwks?.jwks()?.keys ?? []).map((k) => k.kid ?? ''));
  }

  /** Whether a token is a JWT this provider could have signed (an asymmetric algorithm we accept). */
  claimsToken(token: string): boolean {
    if (token.startsWith(TOKEN_PREFIX) || token.split('.').length !== 3) return false;
    try {
      const { alg } = decodeProtectedHeader(token);
      return typeof alg === 'string' && !alg.startsWith('HS') && alg !== 'none';
    } catch {
      return false;
    }
  }

  /** Verifies a bearer JWT and finds its person; rejects with {@link CandorAuthError} saying why not. */
  async verifyBearer(token: string): Promise<Verified> {
    await this.configuration();
    const skew = this.config.clockSkewSeconds;
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, this.jwks!, {
        issuer: this.config.issuer,
        audience: this.audience,
        algorithms: this.config.algorithms,
        clockTolerance: skew,
        requiredClaims: ['exp'],
      }));
    } catch (e) {
      throw joseRefusal(e);
    }
    const exp = claims.exp!;
    const now = Date.now() / 1000;
    const lifetime = typeof claims.iat === 'number' ? exp - claims.iat : exp - now - skew;
    if (lifetime > this.config.maxLifetimeSeconds) {
      throw new CandorAuthError(`invalid-token: the JWT lifetime (${Math.round(lifetime)} s) is over this server's maximum of ${this.config.maxLifetimeSeconds} s`);
    }
    if (typeof claims.iat === 'number' && claims.iat > now + skew) throw new CandorAuthError('invalid-token: the JWT was issued in the future (iat)');
    return { person: this.personOf(claims), until: exp * 1000, claims };
  }

  /** The person a set of claims names, by the configured claim. */
  personOf(claims: Record<string, unknown>): string {
    if (this.config.claim === 'email') {
      const email = claims.email;
      if (typeof email !== 'string' || !email) throw new CandorAuthError('invalid-token: the token carries no email claim (ask for the "email" scope, or set authentication.oidc.claim to "sub")');
      if (claims.email_verified === false) throw new CandorAuthError(`invalid-token: the provider says ${email} is not verified`);
      const person = this.byEmail.get(email.toLowerCase());
      if (!person) throw new CandorAuthError(`unknown-person: nobody with the email ${email} is in this organisation`);
      return person;
    }
    const sub = claims.sub;
    if (typeof sub !== 'string' || !sub) throw new CandorAuthError('invalid-token: the token has no subject (sub)');
    const person = this.bySubject.get(sub);
    if (!person) throw new CandorAuthError(`unknown-person: subject "${sub}" is not anyone in this organisation`);
    return person;
  }

  // -------------------------------------------------------------------------------------------
  // The authorization-code flow with PKCE

  /** The provider URL to send a browser to, with a fresh PKCE verifier and nonce to keep. */
  async authorizationUrl(redirectUri: string, state: string, verifier: string, nonce: string): Promise<URL> {
    const configuration = await this.configuration();
    return client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.config.scopes,
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
  }

  /** Exchanges the callback's code for tokens (PKCE, state and nonce checked) and finds the person in the ID token. */
  async finish(callbackUrl: URL, checks: { verifier: string; state: string; nonce: string }): Promise<{ person: string; claims: Record<string, unknown> }> {
    const configuration = await this.configuration();
    let claims: Record<string, unknown> | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims() as Record<string, unknown> | undefined;
      // Providers that keep scope claims out of the ID token (oidc-provider, some Keycloak setups) give them at userinfo.
      if (claims && this.config.claim === 'email' && typeof claims.email !== 'string' && tokens.access_token && configuration.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub as string);
        claims = { ...info, ...claims, email: info.email, ...(info.email_verified !== undefined ? { email_verified: info.email_verified } : {}) };
      }
    } catch (e) {
      throw new CandorAuthError(`sign-in-failed: ${(e as Error).message}`);
    }
    if (!claims) throw new CandorAuthError('sign-in-failed: the provider sent no ID token');
    return { person: this.personOf(claims), claims };
  }

  /** An unguessable value for PKCE and nonces. */
  static random(): string {
    return client.randomPKCECodeVerifier();
  }
}

/** jose's refusals in Candor's words. */
function joseRefusal(e: unknown): CandorAuthError {
  if (e instanceof CandorAuthError) return e;
  const err = e as { code?: string; claim?: string; message?: string; name?: string };
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return new CandorAuthError('token-expired: the JWT has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (err.claim === 'exp') return new CandorAuthError('invalid-token: the JWT has no expiry (exp); this server accepts only JWTs that expire');
      if (err.claim === 'aud') return new CandorAuthError('invalid-token: the JWT is for another audience (aud)');
      if (err.claim === 'iss') return new CandorAuthError('invalid-token: the JWT is from another issuer (iss)');
      if (err.claim === 'nbf') return new CandorAuthError('invalid-token: the JWT is not valid yet (nbf)');
      return new CandorAuthError(`invalid-token: ${err.message}`);
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new CandorAuthError("invalid-token: the JWT is signed with a key the identity provider does not list (rotated out, or never its own)");
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new CandorAuthError('invalid-token: the JWT algorithm is not accepted here');
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new CandorAuthError('invalid-token: the JWT signature does not match');
    case 'ERR_JWKS_TIMEOUT':
      return new CandorUnavailableError("unavailable: the identity provider's keys could not be fetched in time; retry in 5 s", 5);
    case 'ERR_JWT_INVALID':
    case 'ERR_JWS_INVALID':
      return new CandorAuthError(`invalid-token: ${err.message}`);
    default:
      if (err.name === 'TypeError' || err.name === 'AbortError' || /fetch|ECONNREFUSED|network/i.test(err.message ?? '')) {
        return new CandorUnavailableError("unavailable: the identity provider's keys could not be fetched; retry in 5 s", 5);
      }
      return new CandorAuthError(`invalid-token: ${err.message ?? 'not a valid JWT'}`);
  }
}

/**
 * The server's {@link Authenticator} with the identity provider's JWTs added: a token whose header
 * names an asymmetric algorithm goes to the provider's keys (asynchronously, as scrypt checks do, with
 * the same failure budgets); everything else is checked as before. A verified JWT is remembered (by
 * digest) until it expires, so one client signing in to many spaces is verified once; each reuse
 * checks that its key is still listed.
 */
export class OidcAuthenticator extends Authenticator {
  private readonly known = new Map<string, { person: string; until: number; kid: string }>();

  constructor(
    config: ServerConfig,
    readonly oidc: OidcSignIn,
    options: { scrypt?: ScryptFn; maxConcurrentScrypt?: number } = {},
  ) {
    super(config, options);
  }

  override quick(token: string | null | undefined): ReturnType<Authenticator['quick']> {
    if (!token || token.length > 8192 || !this.oidc.claimsToken(token)) return super.quick(token);
    const key = digest(token);
    const known = this.known.get(key);
    if (known && Date.now() < known.until && this.oidc.listedKeys().has(known.kid)) return { person: known.person, until: Math.min(known.until, Date.now() + REVALIDATE_MS) };
    if (known) this.known.delete(key);
    return undefined; // needs the provider's keys: slow()
  }

  override slow(token: string): Promise<string> {
    if (!this.oidc.claimsToken(token)) return super.slow(token);
    return this.oidc.verifyBearer(token).then((v) => {
      if (this.known.size >= MAX_CACHED) this.known.delete(this.known.keys().next().value!);
      let kid = '';
      try {
        kid = decodeProtectedHeader(token).kid ?? '';
      } catch {
        // verified, so it decodes
      }
      this.known.set(digest(token), { person: v.person, until: v.until, kid });
      return v.person;
    });
  }

  /** When a token verified by {@link slow} stops signing anyone in (SignIn remembers it no longer). */
  expiryOf(token: string): number | undefined {
    const until = this.known.get(digest(token))?.until;
    return until === undefined ? undefined : Math.min(until, Date.now() + REVALIDATE_MS);
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

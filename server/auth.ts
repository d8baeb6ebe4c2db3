/**
 * Who is asking: per-person tokens (stored hashed in the config) and HS256 JWTs (`sub` = person id).
 * Plain node:crypto; every secret comparison is constant-time, and a token is checked against at
 * most one stored hash (tokens carry a key id: `candor_<kid>_<secret>`).
 */
import { createHash, createHmac, randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolveSecret, type ServerConfig } from './config.ts';

/** A request the server refused to identify; `reason` is sent to the client as is. */
export class CandorAuthError extends Error {
  override name = 'CandorAuthError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export const TOKEN_PREFIX = 'candor_';

/** `candor_<kid>_<secret>`: the key id names the one stored hash the token is checked against. */
const KEYED_TOKEN = /^candor_([0-9a-f]{8,32})_(.+)$/;
/** `scrypt:<kid>:<salt>:<hash>` (the kid-less `scrypt:<salt>:<hash>` is refused at config load). */
const SCRYPT_HASH = /^scrypt:([0-9a-f]{8,32}):([0-9a-f]{16,}):([0-9a-f]{64})$/;

/** scrypt's cost: Node's defaults (N = 2^14, r = 8, p = 1: 16 MiB, some tens of ms), written out. */
const SCRYPT_PARAMS = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

/** An scrypt implementation: async (libuv's thread pool), never `scryptSync` on the request path. */
export type ScryptFn = (token: string, salt: string, keylen: number) => Promise<Buffer>;

const scryptAsync: ScryptFn = (token, salt, keylen) =>
  new Promise((resolve, reject) => scryptCallback(token, salt, keylen, SCRYPT_PARAMS, (e, key) => (e ? reject(e) : resolve(key))));

/** A new key id: 48 random bits, hex. */
export function newKeyId(): string {
  return randomBytes(6).toString('hex');
}

/** A new token: `candor_<kid>_<256 random bits, base64url>`. High entropy: a plain SHA-256 hash is safe. */
export function mintToken(kid = newKeyId()): string {
  return `${TOKEN_PREFIX}${kid}_${randomBytes(32).toString('base64url')}`;
}

/** A token around a secret someone chose (lower entropy: store it with {@link scryptHash}). */
export function tokenWithSecret(secret: string, kid = newKeyId()): string {
  return `${TOKEN_PREFIX}${kid}_${secret}`;
}

/** The key id of a `candor_<kid>_<secret>` token; undefined for other tokens. */
export function keyIdOf(token: string): string | undefined {
  return KEYED_TOKEN.exec(token)?.[1];
}

export function sha256Hash(token: string): string {
  return 'sha256:' + createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * An scrypt hash, `scrypt:<kid>:<salt>:<hash>`, for tokens whose secret people chose themselves. The
 * token must carry a key id (`candor_<kid>_<secret>`), so the server checks it against this one hash.
 */
export async function scryptHash(token: string, salt = randomBytes(16).toString('hex')): Promise<string> {
  const kid = keyIdOf(token);
  if (!kid) throw new Error('an scrypt-hashed token needs a key id: candor_<kid>_<secret> (see tokenWithSecret)');
  return `scrypt:${kid}:${salt}:${(await scryptAsync(token, salt, 32)).toString('hex')}`;
}

const b64urlJson = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Signs an HS256 JWT (for the CLI and tests). */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const head = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export interface JwtOptions {
  secret: string;
  issuer?: string;
  audience?: string;
  clockSkewSeconds?: number;
  /** Longest lifetime accepted: `exp - iat`, or `exp - now` without `iat`. Default one day. */
  maxLifetimeSeconds?: number;
  now?: number;
}

/** Verifies an HS256 JWT and returns its claims; throws {@link CandorAuthError} saying why not. */
export function verifyJwt(token: string, options: JwtOptions): { sub: string } & Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new CandorAuthError('invalid-token: not a JWT');
  const [head, body, sig] = parts as [string, string, string];
  let header: { alg?: unknown };
  let claims: Record<string, unknown>;
  try {
    header = b64urlJson(head) as { alg?: unknown };
    claims = b64urlJson(body) as Record<string, unknown>;
  } catch {
    throw new CandorAuthError('invalid-token: the JWT is not base64url JSON');
  }
  // Only HS256: never `none`, never an algorithm the token picks for itself.
  if (header.alg !== 'HS256') throw new CandorAuthError(`invalid-token: JWT algorithm must be HS256, not ${JSON.stringify(header.alg)}`);
  const expected = createHmac('sha256', options.secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CandorAuthError('invalid-token: JWT signature does not match');
  if (claims === null || typeof claims !== 'object') throw new CandorAuthError('invalid-token: JWT claims are not an object');
  const now = (options.now ?? Date.now()) / 1000;
  const skew = options.clockSkewSeconds ?? 30;
  // A JWT must expire, and soon enough: one that leaks is then useful for a bounded time only.
  if (claims.exp === undefined) throw new CandorAuthError('invalid-token: the JWT has no expiry (exp); this server accepts only JWTs that expire');
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) throw new CandorAuthError('invalid-token: the JWT expiry (exp) is not a number');
  if (now > claims.exp + skew) throw new CandorAuthError('token-expired: the JWT has expired');
  if (claims.iat !== undefined && (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat))) throw new CandorAuthError('invalid-token: the JWT issue time (iat) is not a number');
  const maxLifetime = options.maxLifetimeSeconds ?? 86_400;
  // `exp - iat` reads the token's own claims (no clock involved); `exp - now` allows for the skew.
  const lifetime = typeof claims.iat === 'number' ? claims.exp - claims.iat : claims.exp - now - skew;
  if (lifetime > maxLifetime) {
    throw new CandorAuthError(`invalid-token: the JWT lifetime (${Math.round(lifetime)} s from ${claims.iat === undefined ? 'now' : 'iat'} to exp) is over this server's maximum of ${maxLifetime} s`);
  }
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf - skew)) throw new CandorAuthError('invalid-token: the JWT is not valid yet (nbf)');
  if (options.issuer !== undefined && claims.iss !== options.issuer) throw new CandorAuthError('invalid-token: JWT issuer does not match');
  if (options.audience !== undefined) {
    const aud = claims.aud;
    const ok = Array.isArray(aud) ? aud.includes(options.audience) : aud === options.audience;
    if (!ok) throw new CandorAuthError('invalid-token: JWT audience does not match');
  }
  if (typeof claims.sub !== 'string' || !claims.sub) throw new CandorAuthError('invalid-token: the JWT has no subject (sub)');
  return claims as { sub: string } & Record<string, unknown>;
}

/** The verdict of a sign-in that needs no slow hash: a person (until when, for a JWT), or why not. */
export type QuickVerdict = { person: string; until?: number } | { error: CandorAuthError };

/** A refusal because of too many failures; `retryAfter` in seconds (HTTP `Retry-After`). */
export class CandorRateLimitError extends CandorAuthError {
  override name = 'CandorRateLimitError';
  constructor(
    reason: string,
    readonly retryAfter: number,
  ) {
    super(reason);
  }
}

const UNKNOWN = () => new CandorAuthError('invalid-token: this token is not known here');
const MAX_REMEMBERED = 10_000;
/** Tokens are ~60 characters, JWTs a few hundred to a couple of thousand: anything longer is junk. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * Turns a presented token into a person id, by the config's rules, checking at most one hash:
 * SHA-256 hashes by a keyed lookup of the token's digest, scrypt hashes by the token's key id. An
 * unknown key id costs one scrypt against a dummy hash, so timing does not reveal which ids exist.
 */
export class Authenticator {
  private readonly bySha = new Map<string, string>();
  private readonly byKid = new Map<string, { salt: string; hash: Buffer; personId: string }>();
  private readonly dummy = { salt: randomBytes(16).toString('hex'), hash: randomBytes(32), personId: '' };
  private readonly people: Set<string>;
  /** Tokens already verified against their scrypt hash, by SHA-256 digest (scrypt is slow on purpose). */
  private readonly verified = new Map<string, string>();
  /** scrypt checks under way, so concurrent sign-ins with one token (one per space) share one. */
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly scrypt: ScryptFn;
  /**
   * scrypt checks running at once. scrypt is CPU- and memory-bound (16 MiB each): running more than
   * the cores spare slows the event loop (every other request) without checking any faster.
   */
  private readonly maxConcurrent: number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly config: ServerConfig,
    options: { scrypt?: ScryptFn; maxConcurrentScrypt?: number } = {},
  ) {
    this.scrypt = options.scrypt ?? scryptAsync;
    this.maxConcurrent = Math.max(1, options.maxConcurrentScrypt ?? Math.min(4, availableParallelism() - 1));
    this.people = new Set(config.people.map((p) => p.id));
    for (const p of config.people) {
      for (const h of p.tokenHashes) {
        if (h.startsWith('sha256:')) {
          this.bySha.set(h.slice(7), p.id);
          continue;
        }
        const m = SCRYPT_HASH.exec(h);
        if (m) this.byKid.set(m[1]!, { salt: m[2]!, hash: Buffer.from(m[3]!, 'hex'), personId: p.id });
        // Kid-less scrypt hashes never get here: parseConfig refuses them.
      }
    }
  }

  /** The person a token belongs to; rejects with {@link CandorAuthError}. */
  async authenticate(token: string | null | undefined): Promise<string> {
    const quick = this.quick(token);
    if (quick) {
      if ('error' in quick) throw quick.error;
      return quick.person;
    }
    return this.slow(token!);
  }

  /**
   * Decides without a slow hash when it can: no token, a JWT, a SHA-256 token, an scrypt token this
   * server verified before, or a token that cannot be one of ours. Undefined: it needs {@link slow}.
   */
  quick(token: string | null | undefined): QuickVerdict | undefined {
    if (!token) return { error: new CandorAuthError('no-token: send a token (Authorization: Bearer …, ?token=…, or the provider `token`)') };
    if (token.length > MAX_TOKEN_LENGTH) return { error: new CandorAuthError(`invalid-token: longer than ${MAX_TOKEN_LENGTH} characters`) };
    const { tokens, jwt } = this.config.authentication;
    try {
      if (jwt && token.split('.').length === 3 && !token.startsWith(TOKEN_PREFIX)) {
        const secret = resolveSecret(jwt.secret);
        if (!secret) throw new CandorAuthError('server-misconfigured: JWT secret missing');
        const claims = verifyJwt(token, { secret, issuer: jwt.issuer, audience: jwt.audience, clockSkewSeconds: jwt.clockSkewSeconds, maxLifetimeSeconds: jwt.maxLifetimeSeconds });
        if (!this.people.has(claims.sub)) throw new CandorAuthError(`unknown-person: "${claims.sub}" is not in this organisation`);
        return { person: claims.sub, until: (claims.exp as number) * 1000 };
      }
      if (!tokens) throw new CandorAuthError('invalid-token: this server accepts JWTs only');
    } catch (e) {
      return { error: e instanceof CandorAuthError ? e : new CandorAuthError('invalid-token') };
    }
    const digest = createHash('sha256').update(token, 'utf8').digest('hex');
    // A lookup keyed by the digest of a 256-bit secret: whether a digest is present leaks nothing
    // useful to someone who cannot invert SHA-256.
    const bySha = this.bySha.get(digest) ?? this.verified.get(digest);
    if (bySha !== undefined) return { person: bySha };
    if (!keyIdOf(token)) return { error: UNKNOWN() };
    return undefined;
  }

  /** The scrypt check of a `candor_<kid>_<secret>` token: one hash, the dummy's if the kid is unknown. */
  slow(token: string): Promise<string> {
    const digest = createHash('sha256').update(token, 'utf8').digest('hex');
    const running = this.inflight.get(digest);
    if (running) return running;
    const check = (async () => {
      const entry = this.byKid.get(keyIdOf(token) ?? '') ?? this.dummy;
      await this.permit();
      let key: Buffer;
      try {
        key = await this.scrypt(token, entry.salt, 32);
      } finally {
        this.release();
      }
      if (!timingSafeEqual(key, entry.hash) || entry === this.dummy) throw UNKNOWN();
      if (this.verified.size >= MAX_REMEMBERED) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(digest, entry.personId);
      return entry.personId;
    })();
    this.inflight.set(digest, check);
    const done = () => this.inflight.delete(digest);
    check.then(done, done);
    return check;
  }

  /** A turn to run scrypt; refused when so many wait that the wait itself would be the problem. */
  private async permit(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return;
    }
    if (this.waiting.length >= 64 * this.maxConcurrent) {
      const seconds = Math.max(1, Math.ceil(this.waiting.length / this.maxConcurrent / 10)); // ~0.1 s a check
      throw new CandorRateLimitError(`rate-limited: this server is busy checking other sign-ins; retry in ${seconds} s`, seconds);
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve)); // the finishing check hands over its turn
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** Takes a token from `Authorization: Bearer …` or the `token` query parameter. */
export function tokenOfRequest(headers: Record<string, string | string[] | undefined>, url: URL): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Who is asking: per-person tokens (stored hashed in the config) and HS256 JWTs (`sub` = person id).
 * Plain node:crypto; every secret comparison is constant-time.
 */
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { resolveSecret, type ServerConfig } from './config.ts';

/** A request the server refused to identify; `reason` is sent to the client as is. */
export class CandorAuthError extends Error {
  override name = 'CandorAuthError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export const TOKEN_PREFIX = 'candor_';

/** A new high-entropy token (256 random bits): safe to store as a plain SHA-256 hash. */
export function mintToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function sha256Hash(token: string): string {
  return 'sha256:' + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** An scrypt hash for tokens people chose themselves (lower entropy): `scrypt:<salt>:<hash>`. */
export function scryptHash(token: string, salt = randomBytes(16).toString('hex')): string {
  return `scrypt:${salt}:${scryptSync(token, salt, 32).toString('hex')}`;
}

function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
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
  if (claims.exp !== undefined && (typeof claims.exp !== 'number' || now > claims.exp + skew)) throw new CandorAuthError('token-expired: the JWT has expired');
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

/** Turns a presented token into a person id, by the config's rules. */
export class Authenticator {
  private readonly bySha = new Map<string, { hash: string; personId: string }>();
  private readonly scrypt: { salt: string; hash: string; personId: string }[] = [];
  private readonly people: Set<string>;
  /** Tokens already checked against scrypt hashes (scrypt is deliberately slow). */
  private readonly scryptMemo = new Map<string, string>();

  constructor(private readonly config: ServerConfig) {
    this.people = new Set(config.people.map((p) => p.id));
    for (const p of config.people) {
      for (const h of p.tokenHashes) {
        if (h.startsWith('sha256:')) this.bySha.set(h.slice(7), { hash: h.slice(7), personId: p.id });
        else {
          const [, salt, hash] = h.split(':') as [string, string, string];
          this.scrypt.push({ salt, hash, personId: p.id });
        }
      }
    }
  }

  /** The person a token belongs to; throws {@link CandorAuthError}. */
  authenticate(token: string | null | undefined): string {
    if (!token) throw new CandorAuthError('no-token: send a token (Authorization: Bearer …, ?token=…, or the provider `token`)');
    const { tokens, jwt } = this.config.authentication;
    if (jwt && token.split('.').length === 3 && !token.startsWith(TOKEN_PREFIX)) {
      const secret = resolveSecret(jwt.secret);
      if (!secret) throw new CandorAuthError('server-misconfigured: JWT secret missing');
      const claims = verifyJwt(token, { secret, issuer: jwt.issuer, audience: jwt.audience, clockSkewSeconds: jwt.clockSkewSeconds });
      if (!this.people.has(claims.sub)) throw new CandorAuthError(`unknown-person: "${claims.sub}" is not in this organisation`);
      return claims.sub;
    }
    if (!tokens) throw new CandorAuthError('invalid-token: this server accepts JWTs only');
    const digest = createHash('sha256').update(token, 'utf8').digest('hex');
    const candidate = this.bySha.get(digest);
    // The lookup is keyed by the hash of a 256-bit secret, which leaks nothing useful; the stored hash
    // is compared in constant time all the same.
    if (candidate !== undefined && equalHex(candidate.hash, digest)) return candidate.personId;
    const memo = this.scryptMemo.get(digest);
    if (memo !== undefined) return memo;
    for (const s of this.scrypt) {
      if (equalHex(scryptSync(token, s.salt, 32).toString('hex'), s.hash)) {
        this.scryptMemo.set(digest, s.personId);
        return s.personId;
      }
    }
    throw new CandorAuthError('invalid-token: this token is not known here');
  }
}

/** Takes a token from `Authorization: Bearer …` or the `token` query parameter. */
export function tokenOfRequest(headers: Record<string, string | string[] | undefined>, url: URL): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  return url.searchParams.get('token') ?? undefined;
}

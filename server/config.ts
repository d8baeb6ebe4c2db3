/**
 * The organisation config file (`CANDOR_CONFIG`): who is in the organisation, who administers it,
 * which web origins may read its document, and how people prove who they are.
 *
 * Validated with zod; every problem is reported with its path (`people[2].tokenHashes[0]: …`).
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { fromZodIssues, summariseIssues, type FormatIssue } from '../core/model/index.ts';

const ZId = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[^\s:]+$/, 'expected an id without spaces or colons'));

/**
 * `sha256:<64 hex>` (high-entropy tokens minted by `server/cli.ts token`) or
 * `scrypt:<kid>:<salt hex>:<64 hex>` (tokens `candor_<kid>_<secret>` with a chosen secret). The old
 * kid-less `scrypt:<salt>:<hash>` passes the shape check so that {@link parseConfig} can say what to do.
 */
export const ZTokenHash = z.string().check(
  z.regex(
    /^(sha256:[0-9a-f]{64}|scrypt:[0-9a-f]{8,32}:[0-9a-f]{16,}:[0-9a-f]{64}|scrypt:[0-9a-f]{16,}:[0-9a-f]{64})$/,
    'expected "sha256:<64 hex digits>" or "scrypt:<key id>:<salt hex>:<64 hex digits>" (mint one with `npx tsx server/cli.ts token <person>`)',
  ),
);

const LEGACY_SCRYPT = /^scrypt:[0-9a-f]{16,}:[0-9a-f]{64}$/;

export const ZConfigPerson = z.object({
  id: ZId,
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  email: z.optional(z.email()),
  teamIds: z._default(z.array(ZId), () => []),
  /** Hashes of this person's tokens; several so a token can be rotated without a gap. */
  tokenHashes: z._default(z.array(ZTokenHash), () => []),
});

export const ZConfigTeam = z.object({
  id: ZId,
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  parentId: z.optional(ZId),
  /** `public`: everyone in the organisation reads the team's space; `members`: only its members do. */
  visibility: z._default(z.enum(['public', 'members']), 'public'),
});

export const ZLimits = z.object({
  /** Largest WebSocket message (a Yjs update) a client may send, in bytes. */
  maxUpdateBytes: z._default(z.number().check(z.int(), z.gte(1024)), 1_048_576),
  /** Spaces one WebSocket connection may open at once. */
  maxSpacesPerConnection: z._default(z.number().check(z.int(), z.gte(1)), 200),
  /** New WebSocket connections one token may open per minute (a burst of this many, refilled evenly). */
  connectionsPerMinute: z._default(z.number().check(z.int(), z.gte(1)), 60),
  /** Failed sign-ins one remote address (an IPv6 /64) may make per minute, WebSocket and HTTP together. */
  authFailuresPerMinute: z._default(z.number().check(z.int(), z.gte(1)), 30),
  /** Failed sign-ins one connection may make (a burst of this many, refilled per minute). */
  authFailuresPerSocket: z._default(z.number().check(z.int(), z.gte(1)), 5),
  /** A WebSocket that has not signed in to any space within this many ms is closed. */
  authTimeoutMs: z._default(z.number().check(z.int(), z.gte(50), z.lte(600_000)), 10_000),
  /** Bytes a WebSocket may send for spaces it has not signed in to yet (they wait in the server's queue). */
  preAuthBytes: z._default(z.number().check(z.int(), z.gte(1024), z.lte(16 * 1024 * 1024)), 16_384),
});

export const DEFAULT_LIMITS = {
  maxUpdateBytes: 1_048_576,
  maxSpacesPerConnection: 200,
  connectionsPerMinute: 60,
  authFailuresPerMinute: 30,
  authFailuresPerSocket: 5,
  authTimeoutMs: 10_000,
  preAuthBytes: 16_384,
};

export const ZJwt = z.object({
  /** The HS256 shared secret; at least 32 characters. `env:NAME` reads it from an environment variable. */
  secret: z.string().check(z.minLength(5)),
  issuer: z.optional(z.string()),
  audience: z.optional(z.string()),
  /** Seconds of clock difference tolerated for `exp` and `nbf`. */
  clockSkewSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(600)), 30),
  /** Longest JWT lifetime accepted, `exp - iat` (or `exp - now` without `iat`); a JWT without `exp` is refused. */
  maxLifetimeSeconds: z._default(z.number().check(z.int(), z.gte(60), z.lte(366 * 86_400)), 86_400),
});

export const ZServerConfig = z.object({
  organisation: z._default(z.string().check(z.minLength(1), z.maxLength(200)), 'Candor'),
  people: z.array(ZConfigPerson).check(z.minLength(1, 'an organisation needs at least one person')),
  teams: z._default(z.array(ZConfigTeam), () => []),
  /** Person ids that write the `company` space. */
  admins: z._default(z.array(ZId), () => []),
  /**
   * Web origins (`https://intranet.example.com`) allowed to read `/v1/*` from a page and to open the
   * WebSocket from a browser; `*` allows any. A request without an `Origin` (not from a browser page)
   * is not affected.
   */
  allowedOrigins: z._default(
    z.array(
      z.string().check(
        z.regex(/^(\*|https?:\/\/[^/\s]+|(chrome|moz|safari-web)-extension:\/\/[^/\s]+)$/, 'expected "*" or an origin such as "https://intranet.example.com" (no path)'),
      ),
    ),
    () => [],
  ),
  /** Browser extensions (`chrome-extension://…`, `moz-extension://…`) may connect, as the Candor extension does. */
  allowExtensionOrigins: z._default(z.boolean(), true),
  /** Intranet mode: `/v1/document` and `/v1/events` answer without a token, showing public objectives only. */
  anonymousRead: z._default(z.boolean(), false),
  authentication: z._default(
    z.object({
      /** Per-person tokens, checked against `people[].tokenHashes`. */
      tokens: z._default(z.boolean(), true),
      jwt: z.optional(ZJwt),
    }),
    () => ({ tokens: true }),
  ),
  limits: z._default(ZLimits, () => ({ ...DEFAULT_LIMITS })),
});

export type ServerConfig = z.infer<typeof ZServerConfig>;
export type ConfigPerson = ServerConfig['people'][number];
export type ConfigTeam = ServerConfig['teams'][number];

/** A config file that cannot be used; the message names the file, each path and what is wrong. */
export class CandorConfigError extends Error {
  override name = 'CandorConfigError';
  constructor(
    readonly issues: FormatIssue[],
    readonly file = '',
  ) {
    super(`${file ? `${file}: ` : ''}invalid Candor server config: ${summariseIssues(issues, 5)}`);
  }
}

/** Validates parsed JSON as a server config: the schema, then references between its parts. */
export function parseConfig(input: unknown, file = ''): ServerConfig {
  const parsed = z.safeParse(ZServerConfig, input);
  if (!parsed.success) throw new CandorConfigError(fromZodIssues(parsed.error.issues, input), file);
  const config = parsed.data;
  const issues: FormatIssue[] = [];
  const teamIds = new Set<string>();
  config.teams.forEach((t, i) => {
    if (teamIds.has(t.id)) issues.push({ path: `teams[${i}].id`, message: `duplicate team id "${t.id}"` });
    teamIds.add(t.id);
  });
  config.teams.forEach((t, i) => {
    if (t.parentId !== undefined && !teamIds.has(t.parentId)) issues.push({ path: `teams[${i}].parentId`, message: `no team with id "${t.parentId}"` });
  });
  const personIds = new Set<string>();
  const hashes = new Map<string, string>();
  const kids = new Map<string, string>();
  config.people.forEach((p, i) => {
    if (personIds.has(p.id)) issues.push({ path: `people[${i}].id`, message: `duplicate person id "${p.id}"` });
    personIds.add(p.id);
    p.teamIds.forEach((t, j) => {
      if (!teamIds.has(t)) issues.push({ path: `people[${i}].teamIds[${j}]`, message: `no team with id "${t}"` });
    });
    p.tokenHashes.forEach((h, j) => {
      const other = hashes.get(h);
      if (other !== undefined) issues.push({ path: `people[${i}].tokenHashes[${j}]`, message: `the same token hash is also given to "${other}"` });
      hashes.set(h, p.id);
      if (LEGACY_SCRYPT.test(h)) {
        issues.push({
          path: `people[${i}].tokenHashes[${j}]`,
          message:
            'an scrypt hash without a key id ("scrypt:<salt>:<hash>") is no longer accepted: every unknown token would have to be checked against it. ' +
            `Mint a new token with \`npx tsx server/cli.ts token ${p.id}\`, give it to them and put its hash here instead`,
        });
      } else if (h.startsWith('scrypt:')) {
        const kid = h.split(':')[1]!;
        const owner = kids.get(kid);
        if (owner !== undefined) issues.push({ path: `people[${i}].tokenHashes[${j}]`, message: `key id "${kid}" is used twice (also by "${owner}"); mint a new token` });
        kids.set(kid, p.id);
      }
    });
  });
  config.admins.forEach((a, i) => {
    if (!personIds.has(a)) issues.push({ path: `admins[${i}]`, message: `no person with id "${a}"` });
  });
  const jwt = config.authentication.jwt;
  if (jwt) {
    const secret = resolveSecret(jwt.secret);
    if (secret === undefined) issues.push({ path: 'authentication.jwt.secret', message: `environment variable ${jwt.secret.slice(4)} is not set` });
    else if (secret.length < 32) issues.push({ path: 'authentication.jwt.secret', message: 'an HS256 secret needs at least 32 characters' });
  }
  if (!config.authentication.tokens && !jwt) issues.push({ path: 'authentication', message: 'enable tokens or jwt: nobody could sign in' });
  if (issues.length) throw new CandorConfigError(issues, file);
  return config;
}

/** `env:NAME` → the variable's value; anything else is the secret itself. */
export function resolveSecret(secret: string): string | undefined {
  return secret.startsWith('env:') ? process.env[secret.slice(4)] : secret;
}

/** Reads and validates the config file at `path`. */
export function loadConfig(path: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CandorConfigError([{ path: '', message: `cannot read the file: ${(e as Error).message}` }], path);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CandorConfigError([{ path: '', message: `not valid JSON: ${(e as Error).message}` }], path);
  }
  return parseConfig(json, path);
}

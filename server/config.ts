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
  /**
   * The identity provider's subject (`sub`) for this person, when `authentication.oidc.claim` is
   * `sub` and the provider's subjects are not the person ids (Entra ID and Okta use opaque ids).
   */
  subject: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
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
  /** Writes (POST and DELETE on the HTTP write API) one person may make per minute (a burst of this many, refilled evenly). */
  writesPerMinute: z._default(z.number().check(z.int(), z.gte(1), z.lte(100_000)), 60),
  /** Largest request body the HTTP write API reads, bytes. */
  maxBodyBytes: z._default(z.number().check(z.int(), z.gte(1024), z.lte(1_048_576)), 65_536),
});

export const DEFAULT_LIMITS = {
  maxUpdateBytes: 1_048_576,
  maxSpacesPerConnection: 200,
  connectionsPerMinute: 60,
  authFailuresPerMinute: 30,
  authFailuresPerSocket: 5,
  authTimeoutMs: 10_000,
  preAuthBytes: 16_384,
  writesPerMinute: 60,
  maxBodyBytes: 65_536,
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

const ZUrl = z.string().check(z.regex(/^https?:\/\/[^\s/?#]+(\/[^\s#]*)?$/, 'expected a URL such as "https://sso.example.com/realms/acme"'));

/**
 * Sign-in with the company's OpenID Connect provider (Entra ID, Okta, Keycloak, Google Workspace):
 * bearer JWTs (RS256/ES256/PS256) verified against its JWKS, and the authorization-code flow with
 * PKCE run by this server for widgets in browsers, ending in a session cookie.
 */
export const ZOidc = z.object({
  /** The issuer (`iss`); discovery reads `<issuer>/.well-known/openid-configuration`. https, or http on loopback for tests. */
  issuer: ZUrl,
  clientId: z.string().check(z.minLength(1), z.maxLength(500)),
  /** The client secret (`env:NAME` reads it from the environment); none for a public client (PKCE only). */
  clientSecret: z.optional(z.string().check(z.minLength(1))),
  /** The `aud` a bearer JWT must carry (an API audience such as `api://candor`); default the client id. */
  audience: z.optional(z.union([z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1))).check(z.minLength(1))])),
  /** Which claim names the person: `email` (matched to `people[].email`, case-insensitively) or `sub` (to `people[].subject`, else `people[].id`). */
  claim: z._default(z.enum(['email', 'sub']), 'email'),
  /** This server's callback, as registered with the provider; default `<this server>/auth/callback` from the request's Host. */
  redirectUri: z.optional(ZUrl),
  /** Scopes asked for in the code flow. */
  scopes: z._default(z.string().check(z.minLength(6)), 'openid email profile'),
  /** Signature algorithms accepted (never `none`, never HS*: a provider signs with its private key). */
  algorithms: z._default(z.array(z.enum(['RS256', 'ES256', 'PS256', 'RS384', 'ES384', 'PS384', 'RS512', 'ES512', 'PS512', 'EdDSA'])).check(z.minLength(1)), () => ['RS256' as const, 'ES256' as const]),
  /** Seconds of clock difference tolerated for `exp`, `nbf` and `iat`. */
  clockSkewSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(600)), 30),
  /** Longest bearer JWT lifetime accepted (`exp - iat`); a JWT without `exp` is refused. */
  maxLifetimeSeconds: z._default(z.number().check(z.int(), z.gte(60), z.lte(366 * 86_400)), 86_400),
  /** How long the provider's keys are trusted before they are fetched again, and the least time between two fetches. */
  jwksCacheSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(86_400)), 600),
  jwksCooldownSeconds: z._default(z.number().check(z.int(), z.gte(0), z.lte(3600)), 30),
  cookie: z._default(
    z.object({
      /** Default `__Host-candor-session` when Secure, `candor-session` otherwise. */
      name: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$|^__Host-[A-Za-z0-9_-]{1,56}$/, 'expected a cookie name of letters, digits, - and _'))),
      /** Default: true when redirectUri is https (or the request came over TLS). */
      secure: z.optional(z.boolean()),
      /** Default: `none` when Secure (widgets on another site's pages send it), `lax` otherwise. */
      sameSite: z.optional(z.enum(['none', 'lax', 'strict'])),
    }),
    () => ({}),
  ),
  /** How long a session cookie signs someone in. Default 8 hours. */
  sessionSeconds: z._default(z.number().check(z.int(), z.gte(60), z.lte(30 * 86_400)), 28_800),
});
export type OidcConfig = z.infer<typeof ZOidc>;

/** A CSP `frame-ancestors` source: an origin (`https://teams.microsoft.com`, `https://*.sharepoint.com`) or `'self'`. */
const ZFrameAncestor = z.string().check(z.regex(/^('self'|https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d+)?)$/, `expected 'self' or an origin such as "https://teams.microsoft.com" or "https://*.sharepoint.com"`));

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
      oidc: z.optional(ZOidc),
    }),
    () => ({ tokens: true }),
  ),
  /** The `/embed/<widget>` pages: which pages may frame them (CSP `frame-ancestors`; none by default). */
  embed: z._default(z.object({ frameAncestors: z._default(z.array(ZFrameAncestor), () => []) }), () => ({ frameAncestors: [] })),
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
  const oidc = config.authentication.oidc;
  if (oidc) issues.push(...oidcIssues(oidc, config));
  if (!config.authentication.tokens && !jwt && !oidc) issues.push({ path: 'authentication', message: 'enable tokens, jwt or oidc: nobody could sign in' });
  if (issues.length) throw new CandorConfigError(issues, file);
  return config;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/;

/** What is wrong with an `authentication.oidc` block beyond its shape. */
function oidcIssues(oidc: OidcConfig, config: ServerConfig): FormatIssue[] {
  const issues: FormatIssue[] = [];
  const at = (field: string, message: string) => issues.push({ path: `authentication.oidc.${field}`, message });
  if (!oidc.issuer.startsWith('https://') && !LOOPBACK.test(oidc.issuer)) at('issuer', 'the issuer must be https (http is accepted on loopback only, for tests)');
  if (oidc.redirectUri && !oidc.redirectUri.startsWith('https://') && !LOOPBACK.test(oidc.redirectUri)) at('redirectUri', 'the callback must be https (http is accepted on loopback only)');
  if (oidc.redirectUri && !/\/auth\/callback$/.test(new URL(oidc.redirectUri).pathname)) at('redirectUri', 'the callback is this server\'s /auth/callback (e.g. "https://okrs.example.com/auth/callback")');
  if (oidc.clientSecret !== undefined) {
    const secret = resolveSecret(oidc.clientSecret);
    if (secret === undefined) at('clientSecret', `environment variable ${oidc.clientSecret.slice(4)} is not set`);
  }
  if (oidc.cookie.sameSite === 'none' && oidc.cookie.secure === false) at('cookie.sameSite', 'browsers refuse SameSite=None cookies that are not Secure: set cookie.secure to true (serve over https) or use "lax"');
  if (oidc.cookie.name?.startsWith('__Host-') && oidc.cookie.secure === false) at('cookie.name', 'a __Host- cookie must be Secure');
  if (!oidc.algorithms.length) at('algorithms', 'accept at least one algorithm');
  if (oidc.claim === 'email') {
    const seen = new Map<string, string>();
    config.people.forEach((p, i) => {
      if (!p.email) return;
      const key = p.email.toLowerCase();
      const other = seen.get(key);
      if (other !== undefined) issues.push({ path: `people[${i}].email`, message: `the same email as "${other}": with authentication.oidc.claim "email" it must name one person` });
      seen.set(key, p.id);
    });
    if (seen.size === 0) at('claim', 'nobody has an email in people[]: with claim "email" nobody could sign in with the identity provider');
  } else {
    const seen = new Map<string, string>();
    config.people.forEach((p, i) => {
      const key = p.subject ?? p.id;
      const other = seen.get(key);
      if (other !== undefined) issues.push({ path: `people[${i}].subject`, message: `the same subject as "${other}"` });
      seen.set(key, p.id);
    });
  }
  return issues;
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

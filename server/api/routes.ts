/**
 * The routes added to the team server's HTTP face: the write API (`POST /v1/check-ins | comments |
 * kudos | reflections`, `GET` and `DELETE /v1/<kind>/{id}`), `GET /v1/openapi.json`, `GET /v1/session`,
 * the sign-in routes (`/auth/login`, `/auth/callback`, `POST /auth/logout`), the embeds (`/embed/…`)
 * and the widget bundle (`/widgets/candor-widgets.js`). `HttpApi` asks these routes first.
 *
 * Who is asking: `Authorization: Bearer <token or JWT>` (per-person tokens, HS256 JWTs, the identity
 * provider's JWTs; the same sign-in and failure budgets as everywhere), or the session cookie — then
 * every write must come from an allowed page (`Origin` in `allowedOrigins`, or this server's own pages)
 * and carry the session's CSRF token in `X-Candor-CSRF`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CandorAuthError, CandorRateLimitError } from '../auth.ts';
import type { ServerConfig } from '../config.ts';
import type { SignIn } from '../extensions/auth.ts';
import { originAllowed } from '../http.ts';
import { RateLimiter } from '../limits.ts';
import type { Organisation } from '../policy.ts';
import type { OrgViews } from '../views.ts';
import type { OidcSignIn } from '../auth/oidc.ts';
import { CandorUnavailableError } from '../auth/oidc.ts';
import { cookiesOf, sameToken, type CookieOptions, type Session, type SessionStore } from '../auth/session.ts';
import { AuthRoutes } from './auth-routes.ts';
import { EmbedRoutes } from './embed.ts';
import { fingerprint, validKey, type IdempotencyStore } from './idempotency.ts';
import { Problem, sendJson, sendProblem } from './problem.ts';
import { parseBody, WRITE_ROUTES, type WriteRoute } from './schemas.ts';
import type { WriteApi } from './write.ts';

export const CSRF_HEADER = 'x-candor-csrf';
export const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, X-Candor-CSRF, If-None-Match, Last-Event-ID, Cache-Control';
export const EXPOSED_HEADERS = 'ETag, Location, Retry-After, Idempotent-Replayed';

/** Who is asking, and how they proved it. */
export type Requester = { person: string; via: 'bearer'; until?: number } | { person: string; via: 'cookie'; session: Session; sessionId: string };

export interface ApiDeps {
  config: ServerConfig;
  org: Organisation;
  signIn: SignIn;
  views: OrgViews;
  write: WriteApi;
  idempotency: IdempotencyStore;
  sessions: SessionStore;
  oidc?: OidcSignIn;
  /** The OpenAPI document (built once). */
  openapi: () => unknown;
  log?: (line: string) => void;
}

/**
 * Whether a page at `origin` may use a session cookie here: listed by name in `allowedOrigins` (a `*`
 * there lets any page read, never use someone's session), or this server's own pages.
 */
export function credentialsAllowed(config: Pick<ServerConfig, 'allowedOrigins'>, origin: string, own?: string): boolean {
  return origin === own || config.allowedOrigins.includes(origin);
}

/** This server's own origin, as the browser sees it: from `redirectUri` when configured, else the request's Host. */
export function ownOrigin(config: ServerConfig, req: IncomingMessage): string | undefined {
  const redirect = config.authentication.oidc?.redirectUri;
  if (redirect) return new URL(redirect).origin;
  const host = req.headers.host;
  if (!host || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined;
  return `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${host}`;
}

/** The session cookie's name and attributes for a request (see the server README on SameSite). */
export function cookieOptions(config: ServerConfig, req: IncomingMessage): CookieOptions {
  const oidc = config.authentication.oidc;
  const redirect = oidc?.redirectUri;
  const secure = oidc?.cookie.secure ?? (redirect ? redirect.startsWith('https:') : Boolean((req.socket as { encrypted?: boolean }).encrypted));
  const sameSite = oidc?.cookie.sameSite ?? (secure ? 'none' : 'lax');
  const name = oidc?.cookie.name ?? (secure ? '__Host-candor-session' : 'candor-session');
  return { name, secure, sameSite: sameSite === 'none' ? 'None' : sameSite === 'lax' ? 'Lax' : 'Strict' };
}

const COLLECTION_PATH = /^\/v1\/(check-ins|comments|kudos|reflections)$/;
const RECORD_PATH = /^\/v1\/(check-ins|comments|kudos|reflections)\/([^/]+)$/;

export class ApiRoutes {
  private readonly writes: RateLimiter;
  private readonly auth: AuthRoutes;
  private readonly embed: EmbedRoutes;

  constructor(private readonly deps: ApiDeps) {
    this.writes = new RateLimiter(deps.config.limits.writesPerMinute, { maxKeys: 100_000 });
    this.auth = new AuthRoutes({ ...deps, routes: this });
    this.embed = new EmbedRoutes({ config: deps.config, log: deps.log });
  }

  /** Answers the request if it is one of these routes. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): boolean {
    if (path.startsWith('/embed/') || path.startsWith('/widgets/')) return this.embed.handle(req, res, url, path);
    if (path.startsWith('/auth/')) return this.auth.handle(req, res, url, path);
    const method = req.method ?? 'GET';
    const collection = COLLECTION_PATH.exec(path);
    const record = collection ? null : RECORD_PATH.exec(path);
    let methods: string;
    if (path === '/v1/openapi.json') methods = 'GET, HEAD';
    else if (path === '/v1/session') methods = 'GET';
    else if (collection) methods = 'POST';
    else if (record) methods = WRITE_ROUTES[record[1] as WriteRoute].withdraw ? 'GET, DELETE' : 'GET';
    else return false;

    if (!this.cors(req, res)) {
      sendProblem(res, new Problem('origin-not-allowed', `origin ${req.headers.origin} is not in this server's allowedOrigins`));
      return true;
    }
    if (method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Methods': `${methods}, OPTIONS`, 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': '600' });
      res.end();
      return true;
    }
    if (!methods.split(', ').includes(method)) {
      sendProblem(res, new Problem('method-not-allowed', `${method} is not allowed on ${path}; use ${methods}`, undefined, { Allow: `${methods}, OPTIONS` }));
      return true;
    }
    const run = async () => {
      if (path === '/v1/openapi.json') return sendJson(res, 200, this.deps.openapi(), { 'Cache-Control': 'public, max-age=300' });
      if (path === '/v1/session') return this.auth.session(req, res);
      if (collection) return this.post(req, res, collection[1] as WriteRoute);
      let id: string;
      try {
        id = decodeURIComponent(record![2]!);
      } catch {
        throw new Problem('not-found', 'the id in the path is not valid percent-encoding');
      }
      if (method === 'DELETE') return this.remove(req, res, record![1] as WriteRoute, id);
      return this.getRecord(req, res, record![1] as WriteRoute, id);
    };
    run().catch((e: unknown) => {
      req.resume(); // an unread body must not hold the connection
      this.fail(res, e, path);
    });
    return true;
  }

  /** Answers an error: a {@link Problem} as itself, anything else as a 500 (logged). */
  fail(res: ServerResponse, e: unknown, what: string): void {
    if (e instanceof Problem) return sendProblem(res, e);
    this.deps.log?.(`${what}: ${(e as Error)?.stack ?? String(e)}`);
    sendProblem(res, new Problem('internal', 'the server could not answer this request; it has been logged'));
  }

  /** Sets CORS headers for an allowed origin; false when the request comes from a page that is not allowed. */
  cors(req: IncomingMessage, res: ServerResponse): boolean {
    res.setHeader('Vary', 'Origin, Authorization, Cookie');
    const origin = req.headers.origin;
    if (!origin) return true;
    const own = ownOrigin(this.deps.config, req);
    if (origin !== own && !originAllowed(this.deps.config, origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    if (credentialsAllowed(this.deps.config, origin, own)) res.setHeader('Access-Control-Allow-Credentials', 'true');
    return true;
  }

  /** The session a request's cookie names, if live. */
  sessionOf(req: IncomingMessage): { id: string; session: Session } | undefined {
    const id = cookiesOf(req).get(cookieOptions(this.deps.config, req).name);
    const session = this.deps.sessions.get(id);
    return session && id ? { id, session } : undefined;
  }

  /**
   * Who is asking. A bearer token is checked as everywhere (failure budgets included); a cookie session
   * counts for a write only from an allowed page with its CSRF token.
   */
  async requester(req: IncomingMessage, options: { write: boolean }): Promise<Requester> {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.trim()) {
      const m = /^bearer\s+(.+)$/i.exec(auth.trim());
      if (!m) throw new Problem('unauthenticated', 'send Authorization: Bearer <token>', undefined, { 'WWW-Authenticate': 'Bearer realm="candor"' });
      try {
        const person = await this.deps.signIn.signIn(m[1]!.trim(), { address: req.socket.remoteAddress, connection: req.socket });
        return { person, via: 'bearer' };
      } catch (e) {
        throw authProblem(e);
      }
    }
    const found = this.sessionOf(req);
    if (!found) {
      throw new Problem('unauthenticated', this.deps.oidc ? 'sign in: send Authorization: Bearer <token>, or sign in at /auth/login for a session cookie' : 'send Authorization: Bearer <token>', undefined, {
        'WWW-Authenticate': 'Bearer realm="candor"',
      });
    }
    if (options.write) {
      const origin = req.headers.origin;
      const own = ownOrigin(this.deps.config, req);
      if (!origin) throw new Problem('origin-not-allowed', 'a write signed in by cookie must come from a page (its browser sends Origin); scripts send a bearer token instead');
      if (!credentialsAllowed(this.deps.config, origin, own)) throw new Problem('origin-not-allowed', `a write signed in by cookie must come from a page listed in allowedOrigins, not ${origin}`);
      const token = req.headers[CSRF_HEADER];
      if (!sameToken(typeof token === 'string' ? token : undefined, found.session.csrfToken)) {
        throw new Problem('csrf', 'send the csrfToken of GET /v1/session in the X-Candor-CSRF header with every write', [{ path: 'X-Candor-CSRF', message: token ? 'does not match this session' : 'is missing' }]);
      }
    }
    return { person: found.session.personId, via: 'cookie', session: found.session, sessionId: found.id };
  }

  private limitWrites(person: string): void {
    const wait = this.writes.take(person);
    if (wait > 0) throw new Problem('rate-limited', `more than ${this.deps.config.limits.writesPerMinute} writes a minute; retry in ${wait} s`, undefined, { 'Retry-After': String(wait) });
  }

  private async post(req: IncomingMessage, res: ServerResponse, route: WriteRoute): Promise<void> {
    const type = String(req.headers['content-type'] ?? '');
    if (!/^application\/(json|[a-z0-9.+-]+\+json)\s*(;|$)/i.test(type)) {
      req.resume();
      throw new Problem('unsupported-media-type', `send the record as JSON with Content-Type: application/json${type ? `, not ${type}` : ''}`);
    }
    const who = await this.requester(req, { write: true });
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !validKey(key))) {
      req.resume();
      throw new Problem('invalid-idempotency-key', 'an Idempotency-Key is 1 to 255 visible ASCII characters (a UUID is a good one)', [{ path: 'Idempotency-Key', message: 'is not 1 to 255 visible ASCII characters' }]);
    }
    this.limitWrites(who.person);
    const text = await readBody(req, this.deps.config.limits.maxBodyBytes);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Problem('invalid-json', `the body is not valid JSON: ${(e as Error).message}`, [{ path: '', message: `not valid JSON: ${(e as Error).message}` }]);
    }
    // From here to the answer nothing is awaited: a retry with the same key waits for this one to finish.
    const print = fingerprint('POST', route, json);
    if (typeof key === 'string') {
      const recall = this.deps.idempotency.recall(who.person, key, print);
      if (recall.kind === 'conflict') {
        throw new Problem('idempotency-key-reused', `this Idempotency-Key was used for another request (POST /v1/${recall.route} with a different body); use a new key for a new record`, [
          { path: 'Idempotency-Key', message: 'was used with a different request' },
        ]);
      }
      if (recall.kind === 'replay') {
        const { status, body, location } = recall.response;
        res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Idempotent-Replayed': 'true', 'Cache-Control': 'no-store', ...(location ? { Location: location } : {}) });
        res.end(body);
        return;
      }
    }
    const { body: schema, singular } = WRITE_ROUTES[route];
    const parsed = parseBody(schema, json);
    if (!parsed.ok) throw new Problem('invalid-record', `the ${singular} is not valid: ${parsed.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`, parsed.errors);
    const { record } = this.deps.write.create(route, who.person, parsed.value as never);
    const location = `/v1/${route}/${encodeURIComponent(record.id as string)}`;
    const body = JSON.stringify(record);
    if (typeof key === 'string') this.deps.idempotency.remember(who.person, key, print, route, { status: 201, body, location });
    res.writeHead(201, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Location: location, 'Cache-Control': 'no-store' });
    res.end(body);
  }

  private async remove(req: IncomingMessage, res: ServerResponse, route: WriteRoute, id: string): Promise<void> {
    const who = await this.requester(req, { write: true });
    this.limitWrites(who.person);
    this.deps.write.withdraw(route, who.person, id);
    res.writeHead(204, { 'Cache-Control': 'no-store' });
    res.end();
  }

  private async getRecord(req: IncomingMessage, res: ServerResponse, route: WriteRoute, id: string): Promise<void> {
    let viewer: { kind: 'person'; id: string } | { kind: 'anonymous' };
    if (!req.headers.authorization && !this.sessionOf(req) && this.deps.config.anonymousRead) viewer = { kind: 'anonymous' };
    else viewer = { kind: 'person', id: (await this.requester(req, { write: false })).person };
    const { collection, singular } = WRITE_ROUTES[route];
    const found = (this.deps.views.render(viewer).document[collection] as { id: string }[]).find((r) => r.id === id);
    if (!found) throw new Problem('not-found', `no ${singular} with id "${id}" that you may see`);
    sendJson(res, 200, found, { 'Cache-Control': 'private, no-cache' });
  }
}

/** A sign-in refusal as a problem: 401, 429 with Retry-After, 503 when the identity provider is unreachable. */
export function authProblem(e: unknown): Problem {
  if (e instanceof Problem) return e;
  if (e instanceof CandorUnavailableError) return new Problem('unavailable', e.reason, undefined, { 'Retry-After': String(e.retryAfter) });
  if (e instanceof CandorRateLimitError) return new Problem('rate-limited', e.reason, undefined, { 'Retry-After': String(e.retryAfter) });
  const reason = e instanceof CandorAuthError ? e.reason : 'invalid-token';
  return new Problem('unauthenticated', reason, [{ path: 'Authorization', message: reason }], { 'WWW-Authenticate': `Bearer realm="candor", error="invalid_token"` });
}

/** Reads a request body up to `limit` bytes (UTF-8); a larger one is refused with 413 and the connection closed. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new Problem('body-too-large', `the body is ${declared} bytes; this server reads at most ${limit}`, undefined, { Connection: 'close' }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        reject(new Problem('body-too-large', `the body is over ${limit} bytes, the most this server reads`, undefined, { Connection: 'close' }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const buf = Buffer.concat(chunks);
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
      try {
        resolve(text.decode(buf));
      } catch {
        reject(new Problem('invalid-json', 'the body is not UTF-8', [{ path: '', message: 'not UTF-8 text' }]));
      }
    });
    req.on('error', (e) => {
      if (done) return;
      done = true;
      reject(e);
    });
  });
}

/**
 * HTTP on the WebSocket's port: `GET /v1/document`, `GET /v1/events` (Server-Sent Events) and
 * `GET /healthz`. CORS only for the config's allowed origins; `nosniff` and a restrictive CSP on
 * every response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CandorAuthError, CandorRateLimitError, tokenOfRequest } from './auth.ts';
import type { SignIn } from './extensions/auth.ts';
import type { ServerConfig } from './config.ts';
import type { Organisation, Viewer } from './policy.ts';
import { CandorViewError, type OrgViews } from './views.ts';
import type { HistoryEntry } from './storage.ts';
import { maySeeObjective } from '../core/rules/index.ts';

/**
 * On every HTTP response: no MIME sniffing, and a policy that lets a response (JSON, an event stream,
 * a plain-text reply) run, load or frame nothing, should a browser ever render it as a page.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

const EXTENSION_ORIGIN = /^(chrome|moz|safari-web)-extension:\/\/[^/\s]+$/;

/**
 * Whether a browser page (or extension) at `origin` may use this server: listed in `allowedOrigins`
 * (or `*` is), or a browser extension while `allowExtensionOrigins` is on. One rule for CORS on
 * `/v1/*` and for the WebSocket upgrade.
 */
export function originAllowed(config: Pick<ServerConfig, 'allowedOrigins' | 'allowExtensionOrigins'>, origin: string): boolean {
  if (config.allowedOrigins.includes('*') || config.allowedOrigins.includes(origin)) return true;
  return config.allowExtensionOrigins && EXTENSION_ORIGIN.test(origin);
}

export interface HttpDeps {
  org: Organisation;
  /** Sign-in with the failure budgets the WebSocket has too. */
  signIn: SignIn;
  views: OrgViews;
  health: () => Record<string, unknown>;
  /** The accepted changes to an objective or key result (see SpaceStorage.history). */
  history?: (kind: 'objective' | 'keyResult', id: string) => HistoryEntry[];
  heartbeatMs?: number;
  log?: (line: string) => void;
  /** Further routes, asked first (the write API, OpenAPI, sign-in, embeds: server/api/routes.ts). */
  routes?: { handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): boolean };
  /** The person a request's session cookie signs in, if any (read routes accept it like a token). */
  sessionPerson?: (req: IncomingMessage) => string | undefined;
  /** Whether a page may send its cookies here (explicitly allowed, or this server's own pages): `Access-Control-Allow-Credentials`. */
  credentialsAllowed?: (req: IncomingMessage, origin: string) => boolean;
}

interface Stream {
  res: ServerResponse;
  viewer: Viewer;
  lastEtag: string;
}

export class HttpApi {
  private readonly streams = new Set<Stream>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: HttpDeps) {
    this.unsubscribe = deps.views.onChange(() => this.announce());
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) s.res.write(`: heartbeat ${Date.now()}\n\n`);
    }, deps.heartbeatMs ?? 15_000);
    this.heartbeat.unref();
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Answers the request if it is one of ours; returns false to let Hocuspocus answer. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    // Set before anything else, so they go out with every answer, Hocuspocus' own included.
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (this.deps.routes?.handle(req, res, url, path)) return true;
    if (path !== '/healthz' && path !== '/v1/document' && path !== '/v1/events' && path !== '/v1/history') {
      if (path.startsWith('/v1/')) {
        this.json(res, 404, { error: 'not-found', message: `no endpoint ${path}; see /v1/openapi.json` });
        return true;
      }
      return false;
    }
    const cors = this.cors(req, res);
    if (req.method === 'OPTIONS') {
      if (!cors) {
        this.json(res, 403, { error: 'origin-not-allowed', message: `origin ${req.headers.origin ?? '(none)'} is not in allowedOrigins` });
        return true;
      }
      res.writeHead(204, {
        'Access-Control-Allow-Methods': 'GET, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, If-None-Match, Last-Event-ID, Cache-Control',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      this.json(res, 405, { error: 'method-not-allowed', message: `${req.method} is not allowed here` });
      return true;
    }
    if (path === '/healthz') {
      this.json(res, 200, { ok: true, ...this.deps.health() });
      return true;
    }
    // A page from another origin that is not allowed gets no CORS headers, so its browser withholds
    // the answer; refuse outright too, so it cannot even learn the document's ETag.
    if (req.headers.origin && !cors) {
      this.json(res, 403, { error: 'origin-not-allowed', message: `origin ${req.headers.origin} is not in this server's allowedOrigins` });
      return true;
    }
    void this.answer(req, res, url, path);
    return true;
  }

  /** The authenticated part: who is asking (possibly a slow check), then the document or the stream. */
  private async answer(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    let viewer: Viewer;
    try {
      viewer = await this.viewerOf(req, url);
    } catch (e) {
      const reason = (e as CandorAuthError).reason ?? String(e);
      if (e instanceof CandorRateLimitError) {
        res.setHeader('Retry-After', String(e.retryAfter));
        this.json(res, 429, { error: 'rate-limited', message: reason });
        return;
      }
      res.setHeader('WWW-Authenticate', 'Bearer realm="candor"');
      this.json(res, 401, { error: reason.split(':')[0], message: reason });
      return;
    }
    if (res.destroyed || res.writableEnded) return; // the client went away while we checked its token
    try {
      if (path === '/v1/document') this.document(req, res, viewer);
      else if (path === '/v1/history') this.history(res, viewer, url);
      else this.events(req, res, viewer);
    } catch (e) {
      this.deps.log?.(`${path}: ${(e as Error).message}`);
      if (!res.headersSent) this.json(res, 500, { error: 'internal', message: (e as Error).message });
      else res.destroy();
    }
  }

  private async viewerOf(req: IncomingMessage, url: URL): Promise<Viewer> {
    const token = tokenOfRequest(req.headers, url);
    const fromCookie = token ? undefined : this.deps.sessionPerson?.(req);
    if (fromCookie) return { kind: 'person', id: fromCookie };
    if (!token) {
      if (this.deps.org.config.anonymousRead) return { kind: 'anonymous' };
      throw new CandorAuthError('no-token: send Authorization: Bearer <token> (or ?token=); this server does not allow anonymous reading');
    }
    return { kind: 'person', id: await this.deps.signIn.signIn(token, { address: req.socket.remoteAddress, connection: req.socket }) };
  }

  /** Sets CORS headers for an allowed origin; returns whether the origin (if any) is allowed. */
  private cors(req: IncomingMessage, res: ServerResponse): boolean {
    res.setHeader('Vary', 'Origin, Authorization, Cookie, Accept-Encoding');
    const origin = req.headers.origin;
    if (!origin) return false;
    const credentials = this.deps.credentialsAllowed?.(req, origin) ?? false;
    if (!credentials && !originAllowed(this.deps.org.config, origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Access-Control-Expose-Headers', 'ETag');
    return true;
  }

  private document(req: IncomingMessage, res: ServerResponse, viewer: Viewer): void {
    const etag = this.deps.views.etagOf(viewer);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('ETag', etag);
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      res.writeHead(304);
      res.end();
      return;
    }
    let view;
    try {
      view = this.deps.views.render(viewer);
    } catch (e) {
      if (e instanceof CandorViewError) this.deps.log?.(e.message);
      this.json(res, 500, { error: 'internal', message: (e as Error).message });
      return;
    }
    res.setHeader('ETag', view.etag);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && view.body.length > 1024;
    const body = gzip ? this.deps.views.gzipped(view) : view.body;
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', body.length);
    res.writeHead(200);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  /**
   * `GET /v1/history?objective=ID` (or `?keyResult=ID`): who changed what and when, before → after, for
   * an objective the viewer may see and everything hanging off it. A side of a change the viewer could
   * not have seen (an objective that was team-visible before it became public) is left out.
   */
  private history(res: ServerResponse, viewer: Viewer, url: URL): void {
    const objective = url.searchParams.get('objective');
    const keyResult = url.searchParams.get('keyResult');
    if (!objective === !keyResult) {
      this.json(res, 400, { error: 'bad-request', message: 'ask for one of ?objective=<id> or ?keyResult=<id>' });
      return;
    }
    const document = this.deps.views.render(viewer).document;
    const visible = objective ? document.objectives.some((o) => o.id === objective) : document.keyResults.some((k) => k.id === keyResult);
    if (!visible || !this.deps.history) {
      this.json(res, 404, { error: 'not-found', message: `no ${objective ? 'objective' : 'key result'} "${objective ?? keyResult}" that you may see` });
      return;
    }
    const who = viewer.kind === 'person' ? viewer.id : null;
    const seen = (side: Record<string, unknown> | undefined, collection: string) =>
      side && collection === 'objectives' && !maySeeObjective(this.deps.org.directory, who, side as never) ? undefined : side;
    const entries = this.deps.history(objective ? 'objective' : 'keyResult', (objective ?? keyResult)!).map((e) => {
      const before = seen(e.before, e.collection);
      const after = seen(e.after, e.collection);
      return { ...e, before, after };
    });
    this.json(res, 200, { [objective ? 'objective' : 'keyResult']: objective ?? keyResult, entries: entries.filter((e) => e.before || e.after) });
  }

  private events(req: IncomingMessage, res: ServerResponse, viewer: Viewer): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    const etag = this.deps.views.etagOf(viewer);
    const stream: Stream = { res, viewer, lastEtag: etag };
    res.write(`retry: 2000\n: connected\n\n`);
    // A reconnecting EventSource sends the id of the last event it saw; if the document changed in
    // between, say so at once.
    const lastId = req.headers['last-event-id'];
    if (typeof lastId === 'string' && lastId && lastId !== etag) this.send(stream, etag);
    this.streams.add(stream);
    const drop = () => this.streams.delete(stream);
    req.on('close', drop);
    res.on('error', drop);
  }

  private send(stream: Stream, etag: string): void {
    stream.lastEtag = etag;
    stream.res.write(`event: change\nid: ${etag}\ndata: ${JSON.stringify({ etag })}\n\n`);
  }

  private announce(): void {
    for (const s of this.streams) {
      const etag = this.deps.views.etagOf(s.viewer);
      if (etag !== s.lastEtag) this.send(s, etag);
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }
}

/**
 * Signing in with the identity provider in a browser, run by this server (authorization code + PKCE):
 *
 * - `GET /auth/login?return=<url>` starts a flow (PKCE verifier, nonce, `state`, kept server-side and
 *   bound to this browser by the HttpOnly flow cookie) and redirects to the provider;
 * - `GET /auth/callback` takes the flow once, exchanges the code (state, PKCE and nonce checked), finds
 *   the person by the configured claim, sets the session cookie and answers a page that, opened as a
 *   popup, posts `{ type: 'candor-signed-in' }` to its opener (only to the `return` page's origin, which
 *   must be allowed) and closes; otherwise it goes on to `return`;
 * - `GET /v1/session` says who the cookie (or bearer token) signs in, with the CSRF token writes need;
 * - `POST /auth/logout` ends the session.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CandorAuthError } from '../auth.ts';
import { addressKey, RateLimiter } from '../limits.ts';
import { OidcSignIn } from '../auth/oidc.ts';
import { FLOW_SECONDS, cookiesOf, sameToken, setCookie, type CookieOptions } from '../auth/session.ts';
import { Problem, sendJson, sendProblem } from './problem.ts';
import { authProblem, cookieOptions, credentialsAllowed, ownOrigin, type ApiDeps, type ApiRoutes } from './routes.ts';

/** The message the callback page posts to the window that opened it. */
export const SIGNED_IN_MESSAGE = { type: 'candor-signed-in' } as const;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export class AuthRoutes {
  private readonly logins = new RateLimiter(30, { maxKeys: 10_000 });

  constructor(private readonly deps: ApiDeps & { routes: ApiRoutes }) {}

  handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): boolean {
    const method = req.method ?? 'GET';
    const allowed: Record<string, string> = { '/auth/login': 'GET', '/auth/callback': 'GET', '/auth/logout': 'POST' };
    const methods = allowed[path];
    if (!methods) return false;
    const routes = this.deps.routes;
    if (path === '/auth/logout') {
      if (!routes.cors(req, res)) {
        sendProblem(res, new Problem('origin-not-allowed', `origin ${req.headers.origin} is not in this server's allowedOrigins`));
        return true;
      }
      if (method === 'OPTIONS') {
        res.writeHead(204, { 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type, X-Candor-CSRF', 'Access-Control-Max-Age': '600' });
        res.end();
        return true;
      }
    }
    if (method !== methods && !(method === 'HEAD' && methods === 'GET')) {
      sendProblem(res, new Problem('method-not-allowed', `${method} is not allowed on ${path}; use ${methods}`, undefined, { Allow: methods }));
      return true;
    }
    const run = path === '/auth/login' ? this.login(req, res, url) : path === '/auth/callback' ? this.callback(req, res, url) : this.logout(req, res);
    run.catch((e: unknown) => {
      req.resume();
      if (path === '/auth/logout' || !(e instanceof Problem)) routes.fail(res, e, path);
      else page(res, e.status, e.type === 'unauthenticated' || e.type === 'forbidden' ? 'Not signed in' : 'Sign-in failed', e.detail);
    });
    return true;
  }

  private oidc(): OidcSignIn {
    if (!this.deps.oidc) throw new Problem('not-found', 'this server has no identity provider configured (authentication.oidc); sign in with a token');
    return this.deps.oidc;
  }

  /** The flow cookie: `SameSite=Lax`, so the provider's redirect back (a top-level GET) carries it. */
  private flowCookie(req: IncomingMessage): CookieOptions {
    const session = cookieOptions(this.deps.config, req);
    return { name: session.secure ? '__Host-candor-auth-flow' : 'candor-auth-flow', secure: session.secure, sameSite: 'Lax' };
  }

  /** Where to go after signing in: an absolute URL on an allowed page's origin, or a path on this server. */
  private returnTo(req: IncomingMessage, raw: string | null): string {
    const own = ownOrigin(this.deps.config, req);
    if (raw === null || raw === '') return '';
    if (raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/\\') && own) return new URL(raw, own).href;
    let target: URL;
    try {
      target = new URL(raw);
    } catch {
      throw new Problem('not-found', 'return must be a URL (or a path on this server)');
    }
    if (!/^https?:$/.test(target.protocol) || !credentialsAllowed(this.deps.config, target.origin, own)) {
      throw new Problem('origin-not-allowed', `return must be on a page allowed to use this server (allowedOrigins), not ${target.origin}`);
    }
    return target.href;
  }

  private async login(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const oidc = this.oidc();
    const wait = this.logins.take(addressKey(req.socket.remoteAddress));
    if (wait > 0) throw new Problem('rate-limited', `too many sign-ins started from this address; retry in ${wait} s`, undefined, { 'Retry-After': String(wait) });
    const returnTo = this.returnTo(req, url.searchParams.get('return'));
    const own = ownOrigin(this.deps.config, req);
    const redirectUri = oidc.config.redirectUri ?? (own ? `${own}/auth/callback` : undefined);
    if (!redirectUri) throw new Problem('not-found', 'set authentication.oidc.redirectUri: this request names no Host');
    const verifier = OidcSignIn.random();
    const nonce = OidcSignIn.random();
    const state = this.deps.sessions.startFlow({ verifier, nonce, returnTo, redirectUri });
    if (!state) throw new Problem('rate-limited', 'too many sign-ins under way; retry in a minute', undefined, { 'Retry-After': '60' });
    let target: URL;
    try {
      target = await oidc.authorizationUrl(redirectUri, state, verifier, nonce);
    } catch (e) {
      throw authProblem(e);
    }
    res.writeHead(302, {
      Location: target.href,
      'Set-Cookie': setCookie(this.flowCookie(req), state, FLOW_SECONDS),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    res.end();
  }

  private async callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const oidc = this.oidc();
    const flowCookie = this.flowCookie(req);
    const clearFlow = setCookie(flowCookie, '', 0);
    const state = url.searchParams.get('state') ?? '';
    const bound = cookiesOf(req).get(flowCookie.name);
    if (!state || !sameToken(state, bound)) {
      res.setHeader('Set-Cookie', clearFlow);
      throw new Problem('csrf', 'this sign-in was not started in this browser (or its cookie expired); start again');
    }
    const flow = this.deps.sessions.takeFlow(state);
    res.setHeader('Set-Cookie', clearFlow);
    if (!flow) throw new Problem('not-found', 'this sign-in has expired or was already used; start again');
    const error = url.searchParams.get('error');
    if (error) throw new Problem('unauthenticated', `the identity provider said no: ${url.searchParams.get('error_description') ?? error}`);
    const current = new URL(flow.redirectUri);
    current.search = url.search;
    let person: string;
    try {
      ({ person } = await oidc.finish(current, { verifier: flow.verifier, state, nonce: flow.nonce }));
    } catch (e) {
      if (e instanceof CandorAuthError && e.reason.startsWith('unknown-person')) throw new Problem('forbidden', e.reason.replace(/^unknown-person: /, ''));
      throw authProblem(e);
    }
    const seconds = oidc.config.sessionSeconds;
    const { id } = this.deps.sessions.create(person, seconds);
    res.setHeader('Set-Cookie', [clearFlow, setCookie(cookieOptions(this.deps.config, req), id, seconds)]);
    const name = this.deps.org.people.get(person)?.name ?? person;
    const own = ownOrigin(this.deps.config, req);
    const target = flow.returnTo ? new URL(flow.returnTo).origin : own;
    const nonce = randomBytes(16).toString('base64');
    const script = `(function(){var o=window.opener,t=${scriptJson(target ?? null)},r=${scriptJson(flow.returnTo || null)};` +
      `if(o&&t){try{o.postMessage(${scriptJson(SIGNED_IN_MESSAGE)},t)}catch(e){}window.close();}` +
      `if(r&&!o){location.replace(r);}})();`;
    const link = flow.returnTo ? ` <a href="${escapeHtml(flow.returnTo)}">Continue</a>.` : '';
    page(res, 200, 'Signed in', `You are signed in to Candor as ${name}. You can close this window.`, { nonce, script, extraHtml: link });
  }

  private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const routes = this.deps.routes;
    const clear = setCookie(cookieOptions(this.deps.config, req), '', 0);
    if (routes.sessionOf(req)) {
      const who = await routes.requester(req, { write: true }); // Origin and CSRF, as for every cookie write
      if (who.via === 'cookie') this.deps.sessions.drop(who.sessionId);
    }
    res.writeHead(204, { 'Set-Cookie': clear, 'Cache-Control': 'no-store' });
    res.end();
  }

  /** `GET /v1/session`: who is signed in. */
  async session(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let who;
    try {
      who = await this.deps.routes.requester(req, { write: false });
    } catch (e) {
      if (e instanceof Problem && e.type === 'unauthenticated' && this.deps.oidc) {
        const p = new Problem('unauthenticated', `${e.detail}`, e.errors, e.headers);
        const body = { ...p.body(), loginUrl: '/auth/login' };
        res.writeHead(401, { 'Content-Type': 'application/problem+json; charset=utf-8', 'Cache-Control': 'no-store', ...e.headers });
        res.end(JSON.stringify(body));
        return;
      }
      throw e;
    }
    const name = this.deps.org.people.get(who.person)?.name ?? who.person;
    if (who.via === 'cookie') {
      sendJson(res, 200, { personId: who.person, name, csrfToken: who.session.csrfToken, expiresAt: new Date(who.session.expiresAt).toISOString(), via: 'cookie' });
    } else {
      sendJson(res, 200, { personId: who.person, name, csrfToken: null, expiresAt: null, via: 'bearer' });
    }
  }
}

/** A small HTML page (sign-in result or error) with its own strict CSP; `script` runs under a nonce. */
function page(res: ServerResponse, status: number, title: string, message: string, extra: { nonce?: string; script?: string; extraHtml?: string } = {}): void {
  if (res.headersSent) return void res.destroy();
  const nonce = extra.nonce ?? randomBytes(16).toString('base64');
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · Candor</title>` +
    `<style nonce="${nonce}">body{font:16px/1.5 system-ui,sans-serif;margin:2rem;color:#1f2933}h1{font-size:1.25rem}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1><p role="status">${escapeHtml(message)}${extra.extraHtml ?? ''}</p></main>` +
    (extra.script ? `<script nonce="${nonce}">${extra.script}</script>` : '') +
    `</body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  });
  res.end(html);
}

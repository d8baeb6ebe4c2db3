/**
 * Embeds for hosts that refuse script tags (SharePoint pages, Confluence, Microsoft Teams tabs):
 * `GET /embed/<widget>?<attribute>=<value>…` answers a page holding one widget, with its known
 * attributes from the query (escaped; unknown ones ignored; `src` is always this server's
 * `/v1/document`), loading the single-file widget bundle from this server
 * (`GET /widgets/candor-widgets.js`, built by `npm run build:widgets`) and a small script
 * (`/embed/embed.js`) that writes what the check-in form and the kudos button emit through the write
 * API with the session's CSRF token, and offers sign-in in a popup. A strict CSP: scripts and styles
 * from this origin only, `connect-src 'self'`, and `frame-ancestors` from `embed.frameAncestors`
 * (none by default, so nobody may frame them until the config says who).
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import type { ServerConfig } from '../config.ts';
import { Problem, sendProblem } from './problem.ts';

const COMMON = ['refresh', 'live', 'timeout', 'locale', 'theme', 'objective-id', 'key-result-id', 'team-id', 'person-id'];

/** Each widget and the attributes its embed takes from the query (custom-elements.json, less `src`). */
export const EMBED_WIDGETS: Record<string, readonly string[]> = {
  'candor-progress': ['value', 'expected', 'status', 'variant', 'label', ...COMMON],
  'candor-key-result': ['embedded', ...COMMON],
  'candor-objective': ['compact', ...COMMON],
  'candor-alignment-tree': ['cycle-id', 'expand-depth', 'label', 'company-name', 'page-size', ...COMMON],
  'candor-checkin-feed': ['limit', ...COMMON],
  'candor-team-board': ['cycle-id', ...COMMON],
  'candor-checkin-form': [...COMMON],
  'candor-sparkline': ['min', 'max', 'label', ...COMMON],
};

/** Boolean attributes: present unless the value is `false`/`0`. */
const BOOLEAN = new Set(['live', 'embedded', 'compact']);
const MAX_VALUE = 500;

export const BUNDLE_PATH = '/widgets/candor-widgets.js';
export const EMBED_SCRIPT_PATH = '/embed/embed.js';

const PAGE_STYLE = 'html,body{margin:0;padding:0;background:transparent}body{padding:8px;font-family:system-ui,sans-serif}#candor-embed-status:empty{display:none}#candor-embed-status{margin:8px 0 0;font-size:14px}button{font:inherit}';
const STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`;

/**
 * The embed page's script: who is signed in (`GET /v1/session`), the check-in form's and the kudos
 * button's events written through the API with the CSRF token and an Idempotency-Key, a sign-in
 * button (popup) when nobody is. Same origin as the page, so `script-src 'self'` covers it.
 */
const EMBED_SCRIPT = `// Candor embed: writes what the widgets emit through the HTTP write API.
const status = document.getElementById('candor-embed-status');
let session;
const say = (text) => { status.textContent = text; };
async function who() {
  if (session !== undefined) return session;
  const res = await fetch('/v1/session', { credentials: 'same-origin' });
  session = res.ok ? await res.json() : null;
  if (session) for (const form of document.querySelectorAll('candor-checkin-form:not([person-id])')) form.setAttribute('person-id', session.personId);
  return session;
}
function signIn() {
  const popup = window.open('/auth/login?return=' + encodeURIComponent(location.href), 'candor-sign-in', 'popup,width=520,height=680');
  if (!popup) { location.href = '/auth/login?return=' + encodeURIComponent(location.href); return; }
  const poll = setInterval(async () => { if (popup.closed) { clearInterval(poll); session = undefined; if (await who()) say('Signed in as ' + session.name + '.'); } }, 1000);
}
window.addEventListener('message', async (event) => {
  if (event.origin !== location.origin || !event.data || event.data.type !== 'candor-signed-in') return;
  session = undefined;
  if (await who()) say('Signed in as ' + session.name + '.');
});
async function write(path, body) {
  const me = await who();
  if (!me) { say('Sign in to save this.'); offerSignIn(); return false; }
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-Candor-CSRF': me.csrfToken || '', 'Idempotency-Key': crypto.randomUUID() }, body: JSON.stringify(body) });
  if (res.status === 201) { say('Saved.'); return true; }
  let problem = {};
  try { problem = await res.json(); } catch {}
  if (res.status === 401) { session = undefined; offerSignIn(); }
  say((problem.errors && problem.errors.length ? problem.errors.map((e) => (e.path ? e.path + ': ' : '') + e.message).join('; ') : problem.detail) || ('Not saved (' + res.status + ').'));
  return false;
}
function offerSignIn() {
  if (document.getElementById('candor-sign-in')) return;
  const button = document.createElement('button');
  button.id = 'candor-sign-in';
  button.type = 'button';
  button.textContent = 'Sign in to Candor';
  button.addEventListener('click', signIn);
  status.after(button);
}
document.addEventListener('candor-checkin', (event) => {
  const c = event.detail.checkIn;
  const body = { keyResultId: c.keyResultId, confidence: c.confidence };
  for (const k of ['value', 'milestonesDone', 'done', 'note', 'blockers']) if (c[k] !== undefined) body[k] = c[k];
  void write('/v1/check-ins', body);
});
document.addEventListener('candor-kudos', (event) => { void write('/v1/kudos', { target: event.detail.target, toIds: event.detail.toIds }); });
void who().then((me) => { if (!me && document.querySelector('candor-checkin-form, candor-checkin-feed')) offerSignIn(); });
`;

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The attributes of an embed from its query: known ones only, each value escaped and bounded. */
export function embedAttributes(tag: string, query: URLSearchParams): [string, string | true][] {
  const known = EMBED_WIDGETS[tag] ?? [];
  const out: [string, string | true][] = [];
  for (const name of known) {
    const value = query.get(name);
    if (value === null) continue;
    if (BOOLEAN.has(name)) {
      if (value !== 'false' && value !== '0') out.push([name, true]);
      continue;
    }
    out.push([name, value.slice(0, MAX_VALUE)]);
  }
  return out;
}

/** The embed page for a widget. */
export function embedPage(tag: string, query: URLSearchParams): string {
  const attrs = embedAttributes(tag, query)
    .map(([n, v]) => (v === true ? ` ${n}` : ` ${n}="${escapeAttr(v)}"`))
    .join('');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>Candor</title><style>${PAGE_STYLE}</style>` +
    `<script type="module" src="${BUNDLE_PATH}"></script><script type="module" src="${EMBED_SCRIPT_PATH}"></script></head>` +
    `<body><${tag} src="/v1/document"${attrs}></${tag}><p id="candor-embed-status" role="status" aria-live="polite"></p></body></html>`
  );
}

/** The embed pages' CSP: this origin's scripts and styles only; framed only by `embed.frameAncestors`. */
export function embedCsp(config: Pick<ServerConfig, 'embed'>): string {
  const ancestors = config.embed.frameAncestors.length ? config.embed.frameAncestors.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' ${STYLE_HASH}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

export class EmbedRoutes {
  private bundle: { body: Buffer; etag: string; mtimeMs: number } | undefined;
  private readonly bundlePath: string;

  constructor(private readonly deps: { config: ServerConfig; log?: (line: string) => void; bundlePath?: string }) {
    this.bundlePath = deps.bundlePath ?? process.env.CANDOR_WIDGETS_BUNDLE ?? resolve(import.meta.dirname, '../../dist/widgets/candor-widgets.js');
  }

  handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): boolean {
    const method = req.method ?? 'GET';
    const known = path === BUNDLE_PATH || path === EMBED_SCRIPT_PATH || (path.startsWith('/embed/') && path.slice(7) in EMBED_WIDGETS);
    if (!known) {
      if (!path.startsWith('/embed/')) return false;
      sendProblem(res, new Problem('not-found', `no embed ${path}; try one of ${Object.keys(EMBED_WIDGETS).map((t) => `/embed/${t}`).join(', ')}`));
      return true;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      sendProblem(res, new Problem('method-not-allowed', `${method} is not allowed on ${path}; use GET`, undefined, { Allow: 'GET, HEAD' }));
      return true;
    }
    if (path === BUNDLE_PATH) return this.sendBundle(req, res);
    if (path === EMBED_SCRIPT_PATH) {
      this.send(req, res, 200, 'text/javascript; charset=utf-8', Buffer.from(EMBED_SCRIPT), { 'Cache-Control': 'public, max-age=300' });
      return true;
    }
    const html = Buffer.from(embedPage(path.slice(7), url.searchParams));
    this.send(req, res, 200, 'text/html; charset=utf-8', html, { 'Content-Security-Policy': embedCsp(this.deps.config), 'Cache-Control': 'no-cache', 'Referrer-Policy': 'strict-origin-when-cross-origin' });
    return true;
  }

  private sendBundle(req: IncomingMessage, res: ServerResponse): boolean {
    try {
      const { mtimeMs } = statSync(this.bundlePath);
      if (!this.bundle || this.bundle.mtimeMs !== mtimeMs) {
        const body = readFileSync(this.bundlePath);
        this.bundle = { body, mtimeMs, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      }
    } catch {
      sendProblem(res, new Problem('not-found', 'the widget bundle is not built on this server: run `npm run build:widgets` (dist/widgets/candor-widgets.js)'));
      return true;
    }
    const { body, etag } = this.bundle;
    // Module scripts load in CORS mode: any page may load this public code (never with credentials).
    const headers = { ETag: etag, 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    this.send(req, res, 200, 'text/javascript; charset=utf-8', body, headers);
    return true;
  }

  private send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer, headers: Record<string, string>): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, ...headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

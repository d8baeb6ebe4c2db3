// `tsx scripts/serve-demo.ts`: serves the widgets demo (widgets/demo) and the built widgets
// (dist/widgets) on 127.0.0.1:$PORT (default 5173), under the strict CSP a careful intranet would set.
// Builds the widgets first when dist/widgets is missing.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const DIRS = [join(root, 'widgets/demo'), join(root, 'dist/widgets')];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};
export const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'";

async function find(pathname: string): Promise<string | undefined> {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  for (const dir of DIRS) {
    const file = resolve(dir, rel || 'index.html');
    if (file !== dir && !file.startsWith(dir + sep)) continue; // no ../ escapes
    try {
      const s = await stat(file);
      if (s.isFile()) return file;
      if (s.isDirectory()) {
        const index = join(file, 'index.html');
        if ((await stat(index).catch(() => undefined))?.isFile()) return index;
      }
    } catch {
      /* try the next directory */
    }
  }
  return undefined;
}

/**
 * Passes `/v1/*` (document, events) through to a Candor team server, streaming, so the demo reads
 * the organisation live from the same origin and its strict CSP (`connect-src 'self'`) still holds.
 */
function proxy(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const headers = { ...req.headers, host: target.host };
  delete headers.origin;
  const upstream = request(
    { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`The team server at ${target.origin} did not answer: ${e.message}`);
  });
  res.on('close', () => upstream.destroy()); // the page went away (e.g. an event stream closed)
  req.pipe(upstream);
}

export interface DemoOptions {
  /** A team server to read from (`/v1/*` is proxied to it); without it the demo reads `sample.json`. */
  serverUrl?: string;
}

/** Starts the demo server; resolves with it once listening. */
export function serveDemo(
  port = Number(process.env.PORT ?? 5173),
  host = '127.0.0.1',
  options: DemoOptions = { serverUrl: process.env.CANDOR_SERVER_URL },
): Promise<Server> {
  const target = options.serverUrl ? new URL(options.serverUrl) : undefined;
  const config = JSON.stringify(target ? { src: '/v1/document', live: true } : { src: 'sample.json', live: false });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (target && url.pathname.startsWith('/v1/')) return proxy(target, req, res);
    if (url.pathname === '/demo-config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(config);
      return;
    }
    const file = req.method === 'GET' || req.method === 'HEAD' ? await find(url.pathname) : undefined;
    res.setHeader('Content-Security-Policy', DEMO_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(url.pathname.endsWith('.js') ? 'Not found. Run `npm run build:widgets` first.' : 'Not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : await readFile(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  // First run (or after a clean): build the bundle and the sample data the page needs.
  if (!existsSync(join(root, 'dist/widgets/candor-widgets.js')) || !existsSync(join(root, 'dist/widgets/sample.json'))) {
    const { buildWidgets } = await import('./build-widgets.ts');
    await buildWidgets({ types: false });
  }
  const server = await serveDemo();
  const { port } = server.address() as { port: number };
  const from = process.env.CANDOR_SERVER_URL ? `live from ${process.env.CANDOR_SERVER_URL}` : 'from sample.json';
  console.log(`Candor widgets demo (${from}): http://127.0.0.1:${port}/`);
}

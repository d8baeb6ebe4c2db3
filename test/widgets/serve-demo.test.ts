// The demo server: serves the demo page and the built widgets, under a strict CSP, and nothing outside them.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Server } from 'node:http';
import { request } from 'node:http';
import { serveDemo, DEMO_CSP } from '../../scripts/serve-demo.ts';

let server: Server;
let port: number;

beforeAll(async () => {
  server = await serveDemo(0);
  port = (server.address() as { port: number }).port;
});
afterAll(() => void server.close());

/** A raw GET (fetch would normalise `..` away before sending). */
function get(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('scripts/serve-demo.ts', () => {
  it('serves the demo page with a strict CSP and Trusted Types', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<candor-team-board');
    expect(r.headers['content-security-policy']).toBe(DEMO_CSP);
    expect(DEMO_CSP).toContain("require-trusted-types-for 'script'");
    expect(DEMO_CSP).not.toContain('unsafe-');
  });

  it('serves the module script and stylesheet with their types', async () => {
    expect((await get('/demo.js')).headers['content-type']).toMatch(/text\/javascript/);
    expect((await get('/demo.css')).headers['content-type']).toMatch(/text\/css/);
  });

  it('never serves files outside its folders', async () => {
    for (const path of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/package.json', '/../../etc/passwd']) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toContain('"name": "candor"');
    }
  });
});

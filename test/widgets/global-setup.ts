// Serves Candor documents (good and bad) on 127.0.0.1 for the widgets' browser tests, and counts
// requests per path so a test can prove that widgets share one fetch per URL.
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    widgetServer: string;
  }
}

const fixture = readFileSync(new URL('../fixtures/sample-small.json', import.meta.url), 'utf8');

export function documentServer(): Server {
  const hits = new Map<string, number>();
  // A tiny stand-in for the team server's /v1/document + /v1/events (Server-Sent Events) contract.
  let revision = 0;
  const streams = new Set<import('node:http').ServerResponse>();
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'no-store');
    const path = url.pathname;
    if (path === '/hits') {
      res.setHeader('Content-Type', 'application/json');
      res.end(String(hits.get(url.searchParams.get('path') ?? '') ?? 0));
      return;
    }
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const json = (body: string, delay = 0) =>
      setTimeout(() => {
        if (res.destroyed) return;
        res.setHeader('Content-Type', 'application/json');
        res.end(body);
      }, delay);
    if (path === '/live/v1/document') return json(fixture.replace(/"name": "Platform"/, `"name": "Platform r${revision}"`));
    if (path === '/live/v1/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (path === '/live/bump') {
      revision++;
      for (const s of streams) s.write(`event: change\ndata: {"etag":"r${revision}"}\n\n`);
      return json(String(streams.size));
    }
    if (path.startsWith('/ok') || path.startsWith('/shared')) return json(fixture);
    if (path.startsWith('/other')) return json(fixture.replace(/"Northwind Labs"/g, '"Other Org"').replace(/"name": "Platform"/, '"name": "Other Platform"'));
    if (path.startsWith('/late')) return json(fixture.replace(/"name": "Ana Moreau"/, '"name": "Late Answer"'), 800);
    if (path.startsWith('/slow')) return json(fixture, 5_000);
    if (path.startsWith('/invalid')) return json('{"format": "candor", "version": 1, oops');
    if (path.startsWith('/v2')) return json(JSON.stringify({ ...JSON.parse(fixture), version: 2 }));
    if (path.startsWith('/not-candor')) return json(JSON.stringify({ hello: 'world' }));
    if (path.startsWith('/huge')) {
      // 6 MB, streamed without a Content-Length so the cap is enforced while reading.
      res.setHeader('Content-Type', 'application/json');
      const chunk = ' '.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 6_000_000) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(fixture);
      };
      res.on('error', () => {});
      return pump();
    }
    res.statusCode = 404;
    res.end('not found');
  });
}

export default async function setup(project: TestProject) {
  const server = documentServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  project.provide('widgetServer', `http://127.0.0.1:${port}`);
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

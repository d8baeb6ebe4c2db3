// `npm start`: everything a first try needs, on this machine only (127.0.0.1).
//  1. builds the widgets bundle and the browser extension (in parallel),
//  2. starts the team server with the sample organisation (SQLite file in .candor/),
//  3. serves the widgets demo intranet page reading the organisation live from that server.
// Ctrl-C stops both; the server saves every space before it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWidgets } from './build-widgets.ts';
import { serveDemo } from './serve-demo.ts';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const serverPort = Number(process.env.CANDOR_SERVER_PORT ?? 8787);
const demoPort = Number(process.env.PORT ?? 5173);
const skipExtension = process.argv.includes('--no-extension');

function run(cmd: string, args: string[], label: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${label} failed (exit ${code}):\n${output.slice(-4000)}`))));
  });
}

function startServer(): Promise<ChildProcess> {
  mkdirSync(resolve(root, '.candor'), { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(serverPort),
      CANDOR_DB: process.env.CANDOR_DB ?? resolve(root, '.candor/server.sqlite'),
      // The sample server lets in the demo page's origin only (and browser extensions).
      CANDOR_SAMPLE_ORIGINS: `http://127.0.0.1:${demoPort},http://localhost:${demoPort}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    let ready = false;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line.trim() === 'READY') {
          ready = true;
          ok(child);
        } else if (line) process.stdout.write(`[server] ${line}\n`);
      }
    });
    child.on('exit', (code) => {
      if (!ready) fail(new Error(`the team server stopped before it was ready (exit ${code}); is port ${serverPort} free? Set CANDOR_SERVER_PORT to use another.`));
    });
  });
}

console.log('Candor: building the widgets' + (skipExtension ? '' : ' and the extension') + '…');
const started = performance.now();
await Promise.all([
  buildWidgets(),
  skipExtension ? Promise.resolve() : run(process.execPath, [resolve(root, 'node_modules/wxt/bin/wxt.mjs'), 'build'], 'wxt build'),
]);
console.log(`Built in ${((performance.now() - started) / 1000).toFixed(1)} s.`);

const server = await startServer();
const serverUrl = `http://127.0.0.1:${serverPort}`;
const demo = await serveDemo(demoPort, '127.0.0.1', { serverUrl });

console.log(`
Candor is running:
  Intranet demo (widgets, live from the team server)  http://127.0.0.1:${demoPort}/
  Team server (sample organisation)                   ${serverUrl}   (GET /v1/document, /v1/events, /healthz)
${skipExtension ? '' : `  Browser extension (unpacked)                        ${resolve(root, '.output/chrome-mv3')}
    Chrome: chrome://extensions → Developer mode → Load unpacked → pick that folder.
    Then Options → Team server: URL ${serverUrl} and one of the dev tokens above.
`}Ctrl-C stops everything.`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  demo.close();
  server.once('exit', () => process.exit(0));
  server.kill('SIGTERM');
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

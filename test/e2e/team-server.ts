// A real Candor team server (the sample organisation, on loopback) for the e2e tests: started as its own
// process with a fresh SQLite file; the first dev token it prints is the person the tests connect as.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface TeamServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** The person whose dev token the server printed first, and that token. */
  person: string;
  token: string;
  /** A scratch directory for this run (the server's database lives here; profiles may too). */
  dir: string;
  /** The organisation's document as `person` sees it (`GET /v1/document`). */
  document(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export function startTeamServer(): Promise<TeamServer> {
  const dir = mkdtempSync(join(tmpdir(), 'candor-server-e2e-'));
  let server: ChildProcess | undefined;
  const stop = async () => {
    if (server && server.exitCode === null) {
      server.removeAllListeners('exit');
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((ready, fail) => {
    server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CANDOR_DB: join(dir, 'server.sqlite'), CANDOR_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => fail(new Error(`the server did not start:\n${out}`)), 90_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      const dev = /^\s+([a-z0-9-]+): (candor_\S+)$/m.exec(out);
      if (listening && dev && out.includes('READY')) {
        clearTimeout(timer);
        const base = listening[1]!;
        const token = dev[2]!;
        ready({
          base,
          person: dev[1]!,
          token,
          dir,
          async document() {
            const res = await fetch(`${base}/v1/document`, { headers: { authorization: `Bearer ${token}` } });
            if (!res.ok) throw new Error(`GET /v1/document answered ${res.status}`);
            return (await res.json()) as Record<string, unknown>;
          },
          stop,
        });
      }
    });
    server.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    server.on('exit', (code) => fail(new Error(`the server exited (${code}):\n${out}`)));
  });
}

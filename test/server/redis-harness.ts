// Helpers for the scale-out failure tests: a redis-server that can be killed and brought back on the
// same port, server processes started without waiting for READY (an instance may be waiting for
// Redis), a proxy that makes Redis slow to answer, an SSE follower, and streams of check-ins.
// Every wait is for an event or a bounded poll; every loop is bounded in count and time.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CandorDocument } from '../../core/model/index.ts';
import { checkIn, checkInIds, freePort, ROOT, storedSpace, type Client, type ServerSetup } from './harness.ts';

/** The line `server/main.ts` prints for a promise nobody handled (see its backstop). */
export const UNHANDLED = 'UNHANDLED REJECTION';

export interface RedisProcess {
  port: number;
  url: string;
  proc: ChildProcess;
  /** Stops it with a signal (SIGKILL by default: a crash) and resolves once it has exited. */
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Starts redis-server (no persistence) on `port` (a free one by default); resolves when it accepts connections. */
export async function redisOn(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  const binary = process.env.REDIS_SERVER ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : 'redis-server');
  const proc = spawn(binary, ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`redis did not start on ${p} in 10 s:\n${out}`)), 10_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (/ready to accept connections/i.test(out)) {
        clearTimeout(timer);
        res();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      rej(new Error(`redis exited before it was ready:\n${out}`));
    });
  });
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    proc,
    stop: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

let bundle: Promise<string> | undefined;
let bundleDir: string | undefined;

/** Removes the bundle {@link serverCommand} made (call it in `afterAll`). */
export function disposeServerBundle(): void {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
  bundle = undefined;
}

/**
 * How to run `server/main.ts`: bundled once per test process with esbuild (the same source and the
 * same installed packages, resolved the same way; it starts in about a third of the time tsx takes,
 * which is what makes twenty restarts of two instances fit the budget). `CANDOR_TEST_TSX=1` runs it
 * through tsx instead, as `npm run server` does.
 */
export async function serverCommand(): Promise<string[]> {
  if (process.env.CANDOR_TEST_TSX === '1') return ['--import', 'tsx', join(ROOT, 'server/main.ts')];
  bundle ??= (async () => {
    const { build } = await import('esbuild');
    const dir = (bundleDir = mkdtempSync(join(tmpdir(), 'candor-server-bundle-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, 'server.mjs');
    const main = join(ROOT, 'server/main.ts');
    const native = createRequire(main).resolve('better-sqlite3'); // a native addon: loaded from where it is installed
    await build({
      entryPoints: [main],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      plugins: [{ name: 'native', setup: (b) => b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: native, external: true })) }],
      // CommonJS packages inside an ES module bundle: `require`, `__dirname` and `__filename` as they expect.
      banner: {
        js: [
          "import { createRequire as __candorRequire } from 'node:module';",
          "import { fileURLToPath as __candorPath } from 'node:url';",
          "import { dirname as __candorDir } from 'node:path';",
          'const require = __candorRequire(import.meta.url);',
          'const __filename = __candorPath(import.meta.url);',
          'const __dirname = __candorDir(__filename);',
        ].join('\n'),
      },
    });
    return outfile;
  })();
  return [await bundle];
}

export interface Instance {
  port: number;
  url: string;
  http: string;
  proc: ChildProcess;
  /** Resolves at READY; rejects if the process exits first or after `readyTimeoutMs`. */
  ready: Promise<void>;
  output: () => string;
  alive: () => boolean;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<string>;
  /** Resolves when the output matches `pattern` (rejects after `timeoutMs` or on exit). */
  saw: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/**
 * Spawns `server/main.ts` (`command` from {@link serverCommand}) without waiting for READY: an
 * instance may be waiting for Redis first.
 */
export function launch(command: string[], setup: ServerSetup, port: number, env: Record<string, string> = {}, readyTimeoutMs = 30_000): Instance {
  const proc = spawn(process.execPath, command, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CANDOR_CONFIG: setup.configPath, CANDOR_DB: setup.dbPath, CANDOR_CHANGE_DEBOUNCE_MS: '50', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const watchers = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d;
    for (const w of [...watchers]) w();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<string>((res) => proc.once('exit', (code, signal) => res(signal ?? String(code))));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const saw = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<void>((res, rej) => {
      if (pattern.test(out)) return res();
      const done = () => {
        clearTimeout(timer);
        watchers.delete(check);
      };
      const check = () => {
        if (!pattern.test(out)) return;
        done();
        res();
      };
      const timer = setTimeout(() => {
        done();
        rej(new Error(`instance on ${port} did not print ${pattern} within ${timeoutMs} ms:\n${out}`));
      }, timeoutMs);
      watchers.add(check);
      void exited.then((how) => {
        if (!watchers.has(check)) return;
        done();
        rej(new Error(`instance on ${port} exited (${how}) before printing ${pattern}:\n${out}`));
      });
    });
  const ready = saw(/^READY$/m, readyTimeoutMs);
  ready.catch(() => {}); // observed by whoever awaits it
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    http: `http://127.0.0.1:${port}`,
    proc,
    ready,
    output: () => out,
    alive,
    exited,
    saw,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (alive()) proc.kill(signal);
      await exited;
    },
  };
}

/** Spawns an instance and waits for READY. */
export async function instance(setup: ServerSetup, env: Record<string, string> = {}, port?: number): Promise<Instance> {
  const i = launch(await serverCommand(), setup, port ?? (await freePort()), env);
  await i.ready;
  return i;
}

/**
 * A TCP proxy in front of Redis that holds back what Redis says for the first `holdMs` of every
 * connection: a Redis that accepts connections before it answers, as one just restarting or busy.
 */
export async function slowProxy(targetPort: number, holdMs: number): Promise<{ port: number; url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(downstream).add(upstream);
    const held: Buffer[] = [];
    let holding = true;
    const release = setTimeout(() => {
      holding = false;
      for (const chunk of held.splice(0)) downstream.write(chunk);
    }, holdMs);
    downstream.pipe(upstream);
    upstream.on('data', (d: Buffer) => (holding ? held.push(d) : downstream.write(d)));
    const end = () => {
      clearTimeout(release);
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    downstream.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  const port = await freePort();
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', () => res()));
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

export interface Health {
  ok: boolean;
  status?: string;
  redis?: { state?: string; since?: string; peers?: number } | boolean;
  [key: string]: unknown;
}

export async function health(i: { http: string }): Promise<Health> {
  return (await (await fetch(`${i.http}/healthz`)).json()) as Health;
}

/** The check-in ids an instance's `/v1/document` serves (as `token`'s person, or anonymously). */
export async function viewIds(i: { http: string }, token?: string): Promise<Set<string>> {
  const res = await fetch(`${i.http}/v1/document`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  const doc = (await res.json()) as CandorDocument;
  return new Set(doc.checkIns.map((c) => c.id));
}

/** Polls `test` every `everyMs` until it holds; rejects with `what` (and what `detail` says) after `timeoutMs`. */
export async function eventually(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100, detail?: () => string | Promise<string>): Promise<number> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (let round = 0; round < Math.ceil(timeoutMs / everyMs) + 2; round++) {
    try {
      if (await test()) return Date.now() - started;
    } catch {
      // an instance still starting, a fetch refused: try again until the deadline
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(0, deadline - Date.now()))));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${await detail()}` : ''}`);
}

/** Resolves after `ms`, or rejects as soon as one of the instances exits (with its output). */
export function holdUnlessExit(ms: number, instances: Instance[]): Promise<void> {
  return new Promise((res, rej) => {
    const timer = setTimeout(res, ms);
    for (const i of instances) {
      void i.exited.then((how) => {
        clearTimeout(timer);
        rej(new Error(`instance on ${i.port} exited (${how}) during the outage:\n${i.output().slice(-4000)}`));
      });
    }
  });
}

/** Follows `/v1/events` and records when each `change` event arrived. */
export function follow(url: string): { changes: number[]; close: () => Promise<void> } {
  const changes: number[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(url, { signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) return;
      text += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = text.indexOf('\n\n')) >= 0) {
        if (text.slice(0, cut).includes('event: change')) changes.push(Date.now());
        text = text.slice(cut + 2);
      }
    }
  })().catch(() => {});
  return {
    changes,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

export interface Target {
  space: string;
  keyResultId: string;
  authorId: string;
}

export interface CheckInStream {
  /** Every check-in written, by id, with the space it went to. */
  written: Map<string, string>;
  /** The ids the server acknowledged (the client's unsynced count back to 0 after writing them). */
  acked: Set<string>;
  stop: () => Promise<void>;
  /** Swap the client (reconnected elsewhere); the stream goes on with the new one. */
  use: (c: Client) => void;
}

/**
 * Check-ins from one client, round-robin over `targets`, one every `everyMs`, each followed by a
 * wait for the acknowledgement (bounded by `ackTimeoutMs`); at most `max` of them.
 */
export function checkIns(c: Client, targets: Target[], options: { everyMs?: number; max?: number; ackTimeoutMs?: number } = {}): CheckInStream {
  const written = new Map<string, string>();
  const acked = new Set<string>();
  let current = c;
  let stopped = false;
  let pending: string[] = [];
  const loop = (async () => {
    for (let n = 0; n < (options.max ?? 1000) && !stopped; n++) {
      const t = targets[n % targets.length]!;
      const id = checkIn(current.doc(t.space), t.keyResultId, t.authorId, n);
      written.set(id, t.space);
      pending.push(id);
      try {
        await current.conn.flushed(options.ackTimeoutMs ?? 3000);
        for (const p of pending) acked.add(p);
        pending = [];
      } catch {
        // not acknowledged (yet): it stays in the client's document, and counts once a later flush succeeds
      }
      if (!stopped) await new Promise((r) => setTimeout(r, options.everyMs ?? 100));
    }
  })();
  return {
    written,
    acked,
    use: (next) => (current = next),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** The ids in `want` that `have` lacks. */
export function missing(want: Iterable<string>, have: Set<string> | string[]): string[] {
  const set = have instanceof Set ? have : new Set(have);
  return [...want].filter((id) => !set.has(id));
}

/** The check-in ids stored in an instance's SQLite file for a space (read beside the running server; WAL). */
export function storedIds(dbPath: string, space: string): string[] {
  return checkInIds(storedSpace(dbPath, space));
}

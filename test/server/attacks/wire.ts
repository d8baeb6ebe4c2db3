// The Hocuspocus wire format, just enough to play an attacker: raw WebSockets that send
// authentication messages (and junk) without a provider, and read the server's verdicts.
import { Worker } from 'node:worker_threads';
import WebSocket from 'ws';

function varUint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

function varString(s: string): number[] {
  const bytes = Buffer.from(s, 'utf8');
  return [...varUint(bytes.length), ...bytes];
}

function readVarUint(buf: Uint8Array, at: { i: number }): number {
  let n = 0;
  let shift = 0;
  for (;;) {
    const b = buf[at.i++]!;
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return n;
    shift += 7;
  }
}

function readVarString(buf: Uint8Array, at: { i: number }): string {
  const len = readVarUint(buf, at);
  const s = Buffer.from(buf.subarray(at.i, at.i + len)).toString('utf8');
  at.i += len;
  return s;
}

/** `[space][Auth=2][Token=0][token]`: what a provider sends to sign in to one space. */
export function authMessage(space: string, token: string): Buffer {
  return Buffer.from([...varString(space), 2, 0, ...varString(token)]);
}

/** A sync message (`[space][Sync=0][Update=2][bytes]`) carrying `size` bytes of junk. */
export function junkMessage(space: string, size: number): Buffer {
  return Buffer.concat([Buffer.from([...varString(space), 0, 2, ...varUint(size)]), Buffer.alloc(size, 7)]);
}

export interface Verdict {
  space: string;
  kind: 'authenticated' | 'denied';
  /** The scope when authenticated, the reason when denied. */
  detail: string;
}

/** Reads the authentication verdict in a server message, if it is one. */
export function verdictOf(data: Uint8Array): Verdict | undefined {
  const at = { i: 0 };
  const space = readVarString(data, at);
  if (readVarUint(data, at) !== 2) return undefined;
  const sub = readVarUint(data, at);
  if (sub === 1) return { space, kind: 'denied', detail: readVarString(data, at) };
  if (sub === 2) return { space, kind: 'authenticated', detail: readVarString(data, at) };
  return undefined;
}

export interface RawSocket {
  ws: WebSocket;
  verdicts: Verdict[];
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string; at: number }>;
  /** Resolves once `n` verdicts arrived (or the socket closed). */
  verdictCount(n: number, timeoutMs?: number): Promise<Verdict[]>;
}

/** Opens a raw WebSocket; resolves once open (rejects with the HTTP status if the upgrade is refused). */
export function rawSocket(url: string, options: { origin?: string } = {}): Promise<RawSocket> {
  const ws = new WebSocket(url, options.origin ? { origin: options.origin } : {});
  const verdicts: Verdict[] = [];
  const waiters = new Set<() => void>();
  let isClosed = false;
  ws.on('message', (data: Buffer) => {
    const v = verdictOf(data);
    if (v) verdicts.push(v);
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string; at: number }>((res) =>
    ws.once('close', (code, reason) => {
      isClosed = true;
      for (const w of [...waiters]) w();
      res({ code, reason: reason.toString(), at: Date.now() });
    }),
  );
  const socket: RawSocket = {
    ws,
    verdicts,
    closed,
    verdictCount(n, timeoutMs = 15_000) {
      return new Promise((res, rej) => {
        const check = () => {
          if (verdicts.length < n && !isClosed) return;
          waiters.delete(check);
          clearTimeout(timer);
          res(verdicts);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          rej(new Error(`only ${verdicts.length} of ${n} verdicts within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
  return new Promise((res, rej) => {
    ws.once('open', () => res(socket));
    ws.once('unexpected-response', (_req, response) => {
      rej(Object.assign(new Error(`upgrade refused: HTTP ${response.statusCode}`), { status: response.statusCode, headers: response.headers }));
      ws.terminate();
    });
    ws.once('error', (e) => rej(e));
  });
}

/**
 * Measures `GET url` every `everyMs` from a worker thread (its own event loop, so the figures are the
 * server's delay, not this busy test process's). `stop()` resolves with every latency in ms.
 */
export function probe(url: string, everyMs = 20): { stop: () => Promise<number[]> } {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const latencies = [];
    let running = true;
    parentPort.on('message', () => { running = false; });
    const once = () => new Promise((res) => {
      const started = performance.now();
      const req = http.get(workerData.url, { agent }, (r) => { r.resume(); r.on('end', () => res(performance.now() - started)); });
      req.on('error', () => res(performance.now() - started));
    });
    (async () => {
      while (running) {
        const started = performance.now();
        latencies.push(await once());
        const wait = workerData.everyMs - (performance.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      agent.destroy();
      parentPort.postMessage(latencies);
    })();
  `;
  const worker = new Worker(code, { eval: true, workerData: { url, everyMs } });
  const result = new Promise<number[]>((res, rej) => {
    worker.once('message', (m: number[]) => res(m));
    worker.once('error', rej);
  });
  return {
    stop: async () => {
      worker.postMessage('stop');
      const got = await result;
      await worker.terminate();
      return got;
    },
  };
}

/** Nearest-rank percentile. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

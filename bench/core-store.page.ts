// Runs inside Chromium for bench/core-store.bench.ts (bundled with esbuild, served from 127.0.0.1).
import { openCandorDB, loadWorkspace, persistWorkspace, type CandorDatabase } from '../core/store/idb.ts';
import type { CandorDocument } from '../core/model/index.ts';
import type { Workspace } from '../core/store/workspace.ts';

const DB = 'candor-bench';
let db: CandorDatabase | undefined;
let ws: Workspace | undefined;

/** Reads `[u32 name length][name][u32 update length][update]…` into entries. */
function decode(buf: ArrayBuffer): { space: string; update: Uint8Array }[] {
  const view = new DataView(buf);
  const out: { space: string; update: Uint8Array }[] = [];
  const text = new TextDecoder();
  for (let at = 0; at < buf.byteLength; ) {
    const n = view.getUint32(at, true);
    const space = text.decode(new Uint8Array(buf, at + 4, n));
    at += 4 + n;
    const m = view.getUint32(at, true);
    out.push({ space, update: new Uint8Array(buf.slice(at + 4, at + 4 + m)) });
    at += 4 + m;
  }
  return out;
}

const api = {
  /** Stores the spaces' updates (one log entry each) and the materialised snapshot (computed in Node, sent as JSON). */
  async seed(spacesUrl: string, documentUrl: string) {
    const entries = decode(await (await fetch(spacesUrl)).arrayBuffer());
    const document = (await (await fetch(documentUrl)).json()) as CandorDocument;
    const d = await openCandorDB({ name: DB });
    await d.clear();
    let t = performance.now();
    await d.append(entries);
    const writeMs = performance.now() - t;
    t = performance.now();
    await d.saveSnapshot('bench', document, document.generatedAt);
    const snapshotWriteMs = performance.now() - t;
    d.close();
    return { spaces: entries.length, writeMs, snapshotWriteMs };
  },

  /** A fresh page load: open → snapshot read (first paint), then open → log applied → document materialised. */
  async load() {
    const t0 = performance.now();
    db = await openCandorDB({ name: DB });
    const opened = performance.now();
    const snap = await db.loadSnapshot('bench');
    const snapshotRead = performance.now();
    ws = await loadWorkspace(db, { me: 'bench' });
    const applied = performance.now();
    const doc = ws.document;
    const materialised = performance.now();
    return {
      openMs: opened - t0,
      snapshotMs: snapshotRead - opened,
      snapshotObjectives: snap?.document.objectives.length ?? 0,
      applyMs: applied - snapshotRead,
      materialiseMs: materialised - applied,
      totalMs: materialised - t0 - (snapshotRead - opened),
      counts: [doc.objectives.length, doc.keyResults.length, doc.checkIns.length],
      issues: ws.issues.length,
    };
  },

  /** Check-in → committed (`tx.done`), `n` times in a row, on the loaded workspace. */
  async checkIns(n: number) {
    if (!ws || !db) throw new Error('load first');
    const store = persistWorkspace(ws, db, { snapshotDelayMs: false, compactAfter: 1_000_000 });
    const kr = ws.document.keyResults.find((k) => k.metric.kind === 'increase')!;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      ws.checkIn(kr.id, { value: i, confidence: 0.8, note: 'bench' });
      await store.flush();
      times.push(performance.now() - t);
    }
    const t = performance.now();
    const doc = ws.document;
    const rematerialiseMs = performance.now() - t;
    await store.destroy();
    return { times, rematerialiseMs, checkIns: doc.checkIns.length };
  },
};

(globalThis as unknown as { candorBench: typeof api }).candorBench = api;

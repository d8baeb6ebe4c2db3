/**
 * The organisation's document as each requester may see it, materialised from the live spaces,
 * cached per view and invalidated on change; and the change signal that drives `/v1/events`.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as Y from 'yjs';
import { COLLECTIONS, checkIntegrity, parseDocument, parseRecord, summariseIssues, type CandorDocument, type FormatIssue } from '../core/model/index.ts';
import { materialise, summariseSkipped, type SpaceId } from '../core/store/space.ts';
import { viewOf, type Organisation, type Viewer } from './policy.ts';

export interface RenderedView {
  etag: string;
  body: Buffer;
  gzipped?: Buffer;
  document: CandorDocument;
}

/** A failure to produce a valid document (a bug or corrupt data); never sent half-valid. */
export class CandorViewError extends Error {
  override name = 'CandorViewError';
}

const MAX_CACHED_VIEWS = 256;

export class OrgViews {
  private readonly versions = new Map<SpaceId, string>();
  /** The live spaces, kept in one Map so materialise reuses its merge state across renders. */
  private readonly spaceMap = new Map<SpaceId, Y.Doc>();
  /** Every space materialised under the record rule, until the next change. */
  private full: CandorDocument | undefined;
  /** What the record rule left out of the spaces the last time they were read (for /healthz). */
  skipped: ReturnType<typeof summariseSkipped> = { total: 0, byCode: {}, examples: [] };
  private version: string | undefined;
  private readonly cache = new Map<string, RenderedView>();
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private lastChangeAt = 0;
  /** Moving average of the CPU time rendering one view costs, ms. */
  private renderCost = 0;

  constructor(
    private readonly org: Organisation,
    private readonly spaces: () => Iterable<[SpaceId, Y.Doc]>,
    private readonly options: { debounceMs?: number; salt?: string } = {},
  ) {}

  /** A space changed: forget what depended on it and, after a short quiet spell, tell listeners. */
  changed(space: SpaceId): void {
    this.versions.delete(space);
    this.full = undefined;
    this.version = undefined;
    this.cache.clear();
    this.lastChangeAt = Date.now();
    if (this.timer) return;
    // Debounced, but bounded: under a steady stream of changes listeners still hear every `wait` ms.
    // Each announcement makes every following widget refetch, so the pace also adapts to what a
    // render costs: at most about a third of the server's time goes to rendering documents.
    const wait = Math.min(1000, Math.max(this.options.debounceMs ?? 75, 2 * this.renderCost));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const listener of this.listeners) listener();
    }, wait);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A content hash of every space (state vector and delete set): the same on every instance that
   * holds the same data, and different after any change, including a restart with other data.
   */
  currentVersion(): string {
    if (this.version) return this.version;
    const hash = createHash('sha256').update(this.options.salt ?? '');
    const entries = [...this.spaces()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [space, doc] of entries) {
      let v = this.versions.get(space);
      if (!v) {
        v = createHash('sha256').update(Y.encodeSnapshotV2(Y.snapshot(doc))).digest('base64url');
        this.versions.set(space, v);
      }
      hash.update(space).update('\u0000').update(v);
    }
    this.version = hash.digest('base64url');
    return this.version;
  }

  etagOf(viewer: Viewer): string {
    const key = this.org.viewKey(viewer);
    const digest = createHash('sha256').update(key).update('\u0000').update(this.currentVersion()).digest('base64url').slice(0, 27);
    return `"${digest}"`;
  }

  /** The viewer's document, validated, as JSON bytes with its ETag (cached until the next change). */
  render(viewer: Viewer): RenderedView {
    const key = this.org.viewKey(viewer);
    const etag = this.etagOf(viewer);
    const cached = this.cache.get(key);
    if (cached && cached.etag === etag) return cached;
    const started = process.cpuUsage();
    const document = viewOf(this.organisationDocument(), viewer, this.org);
    const checked = validateView(document);
    if (!checked.ok) throw new CandorViewError(`the materialised document did not validate: ${checked.message}`);
    if (checked.warnings.length && process.env.CANDOR_DEBUG) console.warn(`view ${key}: ${summariseIssues(checked.warnings)}`);
    const body = Buffer.from(serialise(document));
    const view: RenderedView = { etag, body, document };
    // CPU time, not wall time: on a busy machine the wall clock would slow announcements for nothing.
    const used = process.cpuUsage(started);
    this.renderCost = this.renderCost * 0.7 + ((used.user + used.system) / 1000) * 0.3;
    if (this.cache.size >= MAX_CACHED_VIEWS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, view);
    return view;
  }

  /** Every space, materialised under the record rule with the organisation's directory (shared by every viewer). */
  organisationDocument(): CandorDocument {
    if (this.full) return this.full;
    const live = new Map(this.spaces());
    for (const id of [...this.spaceMap.keys()]) if (live.get(id) !== this.spaceMap.get(id)) this.spaceMap.delete(id);
    for (const [id, doc] of live) if (!this.spaceMap.has(id)) this.spaceMap.set(id, doc);
    const { document, issues } = materialise(this.spaceMap, { directory: this.org.directory });
    this.skipped = summariseSkipped(issues);
    if (this.skipped.total && process.env.CANDOR_DEBUG) console.warn(`materialise: ${this.skipped.total} records left out; ${this.skipped.examples.join('; ')}`);
    this.full = document;
    return document;
  }

  gzipped(view: RenderedView): Buffer {
    view.gzipped ??= gzipSync(view.body, { level: 1 }); // fast; JSON still shrinks ~8×
    return view.gzipped;
  }

  get lastChange(): number {
    return this.lastChangeAt;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }
}

/** Drops or detaches the records named by integrity errors; returns whether anything changed. */
function repair(document: CandorDocument, issues: readonly FormatIssue[]): boolean {
  const drop = new Map<string, Set<number>>();
  let changed = false;
  for (const issue of issues) {
    const m = /^(\w+)\[(\d+)\](?:\.(\w+))?/.exec(issue.path);
    if (!m) continue;
    const [, collection, index, field] = m as unknown as [string, string, string, string | undefined];
    const list = (document as unknown as Record<string, Record<string, unknown>[]>)[collection];
    const record = list?.[Number(index)];
    if (!record) continue;
    if (collection === 'objectives' && field === 'parentId') {
      const { parentId: _parentId, ...detached } = record; // a copy: records are shared with materialise's cache
      list[Number(index)] = detached;
      changed = true;
      continue;
    }
    let set = drop.get(collection);
    if (!set) drop.set(collection, (set = new Set()));
    set.add(Number(index));
  }
  for (const [collection, indexes] of drop) {
    const doc = document as unknown as Record<string, unknown[]>;
    doc[collection] = doc[collection]!.filter((_, i) => !indexes.has(i));
    changed = true;
  }
  if (!changed) return false;
  // Whatever hung off a dropped record goes with it.
  const objectives = new Set(document.objectives.map((o) => o.id));
  document.keyResults = document.keyResults.filter((k) => objectives.has(k.objectiveId));
  const keyResults = new Set(document.keyResults.map((k) => k.id));
  document.checkIns = document.checkIns.filter((c) => keyResults.has(c.keyResultId));
  document.reflections = document.reflections.filter((r) => objectives.has(r.objectiveId));
  return true;
}

/** Record objects already validated by the model's schema (they are shared with materialise's cache, read-only). */
const validated = new WeakSet<object>();

/**
 * The same verdict as `parseDocument`, paid incrementally: each record is checked with the model's
 * schema (`parseRecord`) the first time it is seen, and the whole with `checkIntegrity` every time.
 * A full `parseDocument` of a 500-person organisation costs ~100 ms; this costs a few ms per change.
 * Invalid records are left out; integrity errors are repaired by leaving records out (see `repair`).
 * Set CANDOR_STRICT_VIEWS=1 to run the full `parseDocument` on every render as well.
 */
export function validateView(document: CandorDocument): { ok: true; warnings: FormatIssue[] } | { ok: false; message: string } {
  for (const collection of COLLECTIONS) {
    const list = document[collection] as object[];
    let kept: object[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const record = list[i]!;
      let ok = validated.has(record);
      if (!ok && parseRecord(collection, record, i).ok) {
        validated.add(record);
        ok = true;
      }
      if (!ok) kept ??= list.slice(0, i);
      else kept?.push(record);
    }
    if (kept) (document[collection] as object[]) = kept;
  }
  let issues = checkIntegrity(document);
  for (let round = 0; round < 3 && issues.some((i) => i.severity === 'error'); round++) {
    if (!repair(document, issues.filter((i) => i.severity === 'error'))) break;
    issues = checkIntegrity(document);
  }
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length) return { ok: false, message: summariseIssues(errors) };
  if (process.env.CANDOR_STRICT_VIEWS) {
    const strict = parseDocument(document);
    if (!strict.ok) return { ok: false, message: strict.error.message };
  }
  return { ok: true, warnings: issues };
}

/** Each record's JSON text, keyed by the (immutable, shared) record object. */
const recordJson = new WeakMap<object, string>();

/**
 * `JSON.stringify(document)`, reusing each record's text from earlier renders: after one check-in
 * only that record is stringified again; the rest is concatenation.
 */
export function serialise(document: CandorDocument): string {
  const head = JSON.stringify({ format: document.format, version: document.version, generatedAt: document.generatedAt });
  const parts: string[] = [head.slice(0, -1)];
  for (const collection of COLLECTIONS) {
    const list = document[collection] as object[];
    const items = new Array<string>(list.length);
    for (let i = 0; i < list.length; i++) {
      const record = list[i]!;
      let text = recordJson.get(record);
      if (text === undefined) recordJson.set(record, (text = JSON.stringify(record)));
      items[i] = text;
    }
    parts.push(`,${JSON.stringify(collection)}:[${items.join(',')}]`);
  }
  const extra = Object.keys(document).filter((k) => !(COLLECTIONS as readonly string[]).includes(k) && k !== 'format' && k !== 'version' && k !== 'generatedAt');
  for (const k of extra) parts.push(`,${JSON.stringify(k)}:${JSON.stringify((document as Record<string, unknown>)[k])}`);
  parts.push('}');
  return parts.join('');
}

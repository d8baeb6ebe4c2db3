import { parseDocumentText, type CandorDocument } from '../../core/model/index.ts';
import type { LoadErrorKind } from './events.ts';

/** A `src` that did not produce a valid Candor document. `message` is written for the person reading the page. */
export class CandorLoadError extends Error {
  override name = 'CandorLoadError';
  constructor(
    readonly kind: LoadErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface LoadOptions {
  /** Give up after this many milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Refuse bodies larger than this many bytes. Default 5 MB. */
  maxBytes?: number;
  /** Reuse a fetch of the same URL started less than this many milliseconds ago. Default: forever (one fetch per page). */
  maxAgeMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 5_000_000;

interface Entry {
  startedAt: number;
  promise: Promise<CandorDocument>;
  text?: string;
  document?: CandorDocument;
}

// One fetch per URL shared by every widget on the page (Shoelace's `include` pattern).
const entries = new Map<string, Entry>();
const listeners = new Map<string, Set<(doc: CandorDocument) => void>>();

/** `src` resolved against the page, so `a.json` and `./a.json` share one fetch. */
export const absoluteUrl = (src: string) => new URL(src, document.baseURI).href;

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!res.body) return res.text();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      void reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) all.set(c, (at += c.byteLength) - c.byteLength);
  return new TextDecoder().decode(all);
}

const tooLarge = (max: number) =>
  new CandorLoadError('too-large', `the document is larger than ${(max / 1e6).toLocaleString()} MB`);

async function fetchDocument(url: string, options: LoadOptions, previous: Entry | undefined): Promise<{ text: string; document: CandorDocument }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    let res: Response;
    try {
      // A refetch revalidates with the browser's HTTP cache (ETag → 304) instead of a custom header, so no CORS preflight.
      res = await fetch(url, { signal: controller.signal, cache: previous ? 'no-cache' : 'default' });
    } catch {
      throw controller.signal.aborted
        ? new CandorLoadError('timeout', `no answer within ${timeoutMs / 1000} s`)
        : new CandorLoadError('network', 'the server could not be reached');
    }
    if (!res.ok) throw new CandorLoadError('http', `the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`, res.status);
    let text: string;
    try {
      text = await readCapped(res, options.maxBytes ?? DEFAULT_MAX_BYTES);
    } catch (e) {
      if (e instanceof CandorLoadError) throw e;
      throw controller.signal.aborted
        ? new CandorLoadError('timeout', `no complete answer within ${timeoutMs / 1000} s`)
        : new CandorLoadError('network', 'the connection broke while reading');
    }
    if (previous?.text === text && previous.document) return { text, document: previous.document };
    const parsed = parseDocumentText(text);
    if (!parsed.ok) {
      const issue = parsed.error.issues[0];
      const kind: LoadErrorKind = issue?.path === 'version' ? 'version' : issue?.message.startsWith('not valid JSON') ? 'json' : 'format';
      throw new CandorLoadError(kind, kind === 'json' ? 'the answer is not JSON' : parsed.error.message);
    }
    return { text, document: parsed.value };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The Candor document at `url`, fetched once per page and shared by every caller, validated with the
 * core schema. Rejects with a {@link CandorLoadError}; a failed URL is retried by the next call.
 * A newer document (polling, live) is announced to {@link onDocument} listeners.
 */
export function loadDocument(src: string, options: LoadOptions = {}): Promise<CandorDocument> {
  const url = absoluteUrl(src);
  const current = entries.get(url);
  if (current && (options.maxAgeMs === undefined || Date.now() - current.startedAt < options.maxAgeMs)) return current.promise;
  const previous = current?.document ? current : undefined;
  const entry: Entry = { startedAt: Date.now(), promise: undefined as unknown as Promise<CandorDocument> };
  entry.promise = fetchDocument(url, options, previous).then(
    ({ text, document }) => {
      entry.text = text;
      entry.document = document;
      if (previous?.document !== document) for (const l of listeners.get(url) ?? []) l(document);
      return document;
    },
    (e: unknown) => {
      if (entries.get(url) === entry) {
        if (previous) entries.set(url, previous);
        else entries.delete(url);
      }
      throw e;
    },
  );
  entries.set(url, entry);
  return entry.promise;
}

/** Calls `listener` whenever a newer document arrives for `src` (after polling or a live change). Returns the unsubscribe. */
export function onDocument(src: string, listener: (doc: CandorDocument) => void): () => void {
  const url = absoluteUrl(src);
  let set = listeners.get(url);
  if (!set) listeners.set(url, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (!set.size) listeners.delete(url);
  };
}

/** The server's event stream for a document URL (`…/v1/document?x` → `…/v1/events?x`), or undefined. */
export function liveUrl(src: string): string | undefined {
  const url = absoluteUrl(src);
  const live = url.replace(/\/v1\/document(\?.*)?$/, '/v1/events$1');
  return live === url ? undefined : live;
}

const streams = new Map<string, { source: EventSource; users: number }>();

/**
 * Follows the server's change stream for `src` (one `EventSource` per URL for the whole page) and
 * refetches the document on every `change`. Returns the function that stops following.
 */
export function watchLive(src: string, options: LoadOptions = {}): () => void {
  const url = absoluteUrl(src);
  const events = liveUrl(url);
  if (!events) return () => {};
  let stream = streams.get(url);
  if (!stream) {
    const source = new EventSource(events);
    source.addEventListener('change', () => void loadDocument(url, { ...options, maxAgeMs: 0 }).catch(() => {}));
    streams.set(url, (stream = { source, users: 0 }));
  }
  stream.users++;
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--stream.users === 0) {
      stream.source.close();
      streams.delete(url);
    }
  };
}

/** Forgets every fetched document (tests, or a host that signs out). */
export function clearDocumentCache(): void {
  entries.clear();
}

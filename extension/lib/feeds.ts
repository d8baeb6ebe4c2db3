// Team feeds: follow any URL that serves a Candor document. Host access is asked for at run time,
// for that origin only; fetched documents are validated with parseDocument before they are kept.
import { browser } from 'wxt/browser';
import { parseDocumentText, type CandorDocument } from '../../core/model/index.ts';
import { loadSettings, saveSettings, type Feed } from './settings.ts';

export const FEED_DOCS_KEY = 'candor:feed-docs';
const FETCH_TIMEOUT_MS = 15_000;

export class FeedError extends Error {
  override name = 'FeedError';
}

/** `https://okr.example.com/v1/document` → `https://okr.example.com/*` (the only origin asked for). */
export function originPattern(url: string): string {
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new FeedError(`only http and https feeds can be followed, not ${u.protocol}`);
  return `${u.origin}/*`;
}

/**
 * Asks for host access to the feed's origin. Must be called straight from a user gesture
 * (a click handler), before any await, or the browser refuses.
 */
export function requestFeedPermission(url: string): Promise<boolean> {
  return browser.permissions.request({ origins: [originPattern(url)] });
}

/** Fetches and validates a feed; throws {@link FeedError} naming the problem. */
export async function fetchFeed(url: string, fetcher: typeof fetch = fetch): Promise<CandorDocument> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetcher(url, { headers: { accept: 'application/json' }, signal: controller.signal, credentials: 'omit' });
  } catch (e) {
    throw new FeedError(controller.signal.aborted ? `no answer from ${new URL(url).host} within 15 s` : `could not reach ${new URL(url).host}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) throw new FeedError(`${new URL(url).host} answered ${response.status} ${response.statusText}`.trim());
  const parsed = parseDocumentText(await response.text());
  if (!parsed.ok) throw new FeedError(`not a Candor document: ${parsed.error.message}`);
  return parsed.value;
}

type FeedDocs = Record<string, CandorDocument>;

async function readDocs(): Promise<FeedDocs> {
  const stored = (await browser.storage.local.get(FEED_DOCS_KEY))[FEED_DOCS_KEY];
  return stored && typeof stored === 'object' ? (stored as FeedDocs) : {};
}

/** The followed feeds' last good documents. */
export async function loadFeedDocuments(): Promise<{ url: string; document: CandorDocument }[]> {
  const [settings, docs] = await Promise.all([loadSettings(), readDocs()]);
  return settings.feeds.flatMap((f) => (docs[f.url] ? [{ url: f.url, document: docs[f.url]! }] : []));
}

export function onFeedsChanged(callback: (feeds: { url: string; document: CandorDocument }[]) => void): () => void {
  const listener = (changes: Record<string, unknown>, area: string) => {
    if (area === 'local' && FEED_DOCS_KEY in changes) void loadFeedDocuments().then(callback);
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

/** Follows a feed (permission already granted): fetch, validate, keep. Throws FeedError, keeps nothing then. */
export async function followFeed(url: string, fetcher?: typeof fetch): Promise<Feed> {
  const doc = await fetchFeed(url, fetcher);
  const docs = await readDocs();
  await browser.storage.local.set({ [FEED_DOCS_KEY]: { ...docs, [url]: doc } });
  const feed: Feed = { url, lastFetchedAt: new Date().toISOString(), name: doc.teams[0]?.name ?? new URL(url).host };
  const settings = await loadSettings();
  await saveSettings({ ...settings, feeds: [...settings.feeds.filter((f) => f.url !== url), feed] });
  return feed;
}

export async function unfollowFeed(url: string): Promise<void> {
  const settings = await loadSettings();
  await saveSettings({ ...settings, feeds: settings.feeds.filter((f) => f.url !== url) });
  const docs = await readDocs();
  delete docs[url];
  await browser.storage.local.set({ [FEED_DOCS_KEY]: docs });
  // Drop the host access unless another feed still uses that origin.
  const pattern = originPattern(url);
  if (!settings.feeds.some((f) => f.url !== url && originPattern(f.url) === pattern)) {
    await browser.permissions.remove({ origins: [pattern] }).catch(() => false);
  }
}

/** Refetches every followed feed the user granted access to; records each one's error or time. */
export async function refreshFeeds(fetcher?: typeof fetch): Promise<void> {
  const settings = await loadSettings();
  if (!settings.feeds.length) return;
  const docs = await readDocs();
  const feeds: Feed[] = [];
  for (const feed of settings.feeds) {
    const granted = await browser.permissions.contains({ origins: [originPattern(feed.url)] }).catch(() => false);
    if (!granted) {
      feeds.push({ ...feed, error: 'host access was withdrawn: follow the feed again to grant it' });
      continue;
    }
    try {
      docs[feed.url] = await fetchFeed(feed.url, fetcher);
      const { error: _drop, ...rest } = feed;
      feeds.push({ ...rest, lastFetchedAt: new Date().toISOString() });
    } catch (e) {
      feeds.push({ ...feed, error: (e as Error).message });
    }
  }
  await browser.storage.local.set({ [FEED_DOCS_KEY]: docs });
  const latest = await loadSettings();
  await saveSettings({ ...latest, feeds });
}

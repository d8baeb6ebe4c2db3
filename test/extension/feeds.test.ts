import { describe, it, expect, beforeEach, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { emptyDocument } from '../../core/model/index.ts';
import { fetchFeed, followFeed, loadFeedDocuments, originPattern, refreshFeeds, requestFeedPermission, unfollowFeed, FeedError } from '../../extension/lib/feeds.ts';
import { loadSettings } from '../../extension/lib/settings.ts';

const doc = () => ({ ...emptyDocument('2026-08-12T10:00:00Z'), teams: [{ id: 't1', name: 'Platform', leadIds: [] }] });
const answer = (body: unknown, status = 200) => vi.fn(async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, statusText: status === 200 ? 'OK' : 'Not Found' }));

describe('team feeds', () => {
  beforeEach(() => fakeBrowser.reset());

  it('asks for host access to that origin only', async () => {
    expect(originPattern('https://okr.example.com:8443/v1/document?x=1')).toBe('https://okr.example.com:8443/*');
    expect(() => originPattern('ftp://example.com/doc')).toThrow(FeedError);
    const request = vi.spyOn(fakeBrowser.permissions, 'request').mockResolvedValue(true);
    expect(await requestFeedPermission('https://okr.example.com/v1/document')).toBe(true);
    expect(request).toHaveBeenCalledWith({ origins: ['https://okr.example.com/*'] });
  });

  it('follows a feed: fetched, validated and kept with its name', async () => {
    const feed = await followFeed('https://okr.example.com/v1/document', answer(doc()));
    expect(feed.name).toBe('Platform');
    expect((await loadSettings()).feeds.map((f) => f.url)).toEqual(['https://okr.example.com/v1/document']);
    const docs = await loadFeedDocuments();
    expect(docs).toHaveLength(1);
    expect(docs[0]!.document.teams[0]!.name).toBe('Platform');
  });

  it('says what is wrong and keeps nothing for a bad feed', async () => {
    await expect(fetchFeed('https://a.example/doc', answer('nope', 404))).rejects.toThrow(/a\.example answered 404/);
    await expect(fetchFeed('https://a.example/doc', answer({ format: 'other' }))).rejects.toThrow(/not a Candor document: format/);
    await expect(fetchFeed('https://a.example/doc', answer({ ...doc(), version: 9 }))).rejects.toThrow(/newer Candor/);
    await expect(fetchFeed('https://a.example/doc', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))).rejects.toThrow(/could not reach a\.example/);
    await expect(followFeed('https://a.example/doc', answer('{'))).rejects.toThrow(FeedError);
    expect((await loadSettings()).feeds).toEqual([]);
  });

  it('refresh records each feed’s error or time; unfollow forgets it and drops the host access', async () => {
    await followFeed('https://okr.example.com/v1/document', answer(doc()));
    vi.spyOn(fakeBrowser.permissions, 'contains').mockResolvedValue(true);
    await refreshFeeds(answer('down', 404));
    expect((await loadSettings()).feeds[0]!.error).toMatch(/404/);
    expect(await loadFeedDocuments()).toHaveLength(1); // the last good document stays
    await refreshFeeds(answer(doc()));
    expect((await loadSettings()).feeds[0]!.error).toBeUndefined();
    const remove = vi.spyOn(fakeBrowser.permissions, 'remove').mockResolvedValue(true);
    await unfollowFeed('https://okr.example.com/v1/document');
    expect((await loadSettings()).feeds).toEqual([]);
    expect(await loadFeedDocuments()).toEqual([]);
    expect(remove).toHaveBeenCalledWith({ origins: ['https://okr.example.com/*'] });
  });
});

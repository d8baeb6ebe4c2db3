import { describe, it, expect, afterEach, inject } from 'vitest';
import { mount, next, settled, deepText } from './helpers.ts';
import { clearDocumentCache } from '../../widgets/index.ts';

const server = inject('widgetServer');
const unique = (path: string) => `${server}${path}?t=${Math.random().toString(36).slice(2)}`;
const hits = async (url: string) => Number(await (await fetch(`${server}/hits?path=${new URL(url).pathname}`)).text());

afterEach(() => {
  document.body.replaceChildren();
  clearDocumentCache();
});

async function expectError(path: string, kind: string, attrs: Record<string, string> = {}) {
  const el = document.createElement('candor-team-board');
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  const failed = next(el, 'candor-error', 10_000);
  el.src = `${server}${path}`;
  document.body.append(el);
  const e = await failed;
  expect(e.detail.kind).toBe(kind);
  await el.updateComplete;
  const box = el.shadowRoot!.querySelector('[part=state]')!;
  expect(box.getAttribute('role')).toBe('status');
  expect(box.textContent).toContain('Couldn’t load OKRs');
  expect(box.getBoundingClientRect().height).toBeGreaterThan(20);
  return e.detail;
}

describe('src loading', () => {
  it('fetches a URL once for every widget on the page and fires candor-load on each', async () => {
    const src = unique('/shared.json');
    const tags = ['candor-alignment-tree', 'candor-team-board', 'candor-checkin-feed'] as const;
    const els = tags.map((t) => {
      const el = document.createElement(t);
      el.setAttribute('src', src);
      return el;
    });
    const loads = els.map((el) => next(el, 'candor-load'));
    let count = 0;
    const counter = () => count++;
    document.addEventListener('candor-load', counter);
    document.body.append(...els);
    const events = await Promise.all(loads);
    await new Promise((r) => setTimeout(r, 100));
    document.removeEventListener('candor-load', counter);
    expect(count).toBe(3); // one candor-load per widget, not one per delivery path
    expect(events.every((e) => e.detail.document === events[0]!.detail.document)).toBe(true);
    expect(events[0]!.detail.document.people.length).toBe(12);
    await settled();
    expect(await hits(src)).toBe(1);
    expect(deepText(els[1]!)).toContain('net confidence');
  });

  it('shows a polite error for a 404', async () => {
    const d = await expectError('/missing.json', 'http');
    expect(d.status).toBe(404);
    expect(d.message).toContain('404');
  });

  it('shows a polite error for invalid JSON', async () => {
    await expectError('/invalid.json', 'json');
  });

  it('refuses a document of a newer version, saying so', async () => {
    const d = await expectError('/v2.json', 'version');
    expect(d.message).toContain('newer');
  });

  it('refuses JSON that is not a Candor document', async () => {
    await expectError('/not-candor.json', 'format');
  });

  it('refuses a body over the size cap', async () => {
    await expectError('/huge.json', 'too-large');
  });

  it('gives up on a slow server after the timeout', async () => {
    const started = performance.now();
    const d = await expectError('/slow.json', 'timeout', { timeout: '400' });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(d.message).toContain('0.4 s');
  });

  it('ignores a late answer for a src that has since changed', async () => {
    const el = document.createElement('candor-alignment-tree');
    el.setAttribute('expand-depth', '9');
    el.src = unique('/late.json'); // answers after 800 ms
    document.body.append(el);
    await el.updateComplete;
    el.src = unique('/other.json');
    await next(el, 'candor-load');
    await new Promise((r) => setTimeout(r, 1200));
    await settled(el);
    const t = deepText(el);
    expect(t).not.toContain('Late Answer');
    expect(t).toContain('Other Platform');
  });

  it('polls with refresh, one request per period for all widgets on the URL', async () => {
    const src = unique('/ok.json');
    const a = document.createElement('candor-progress');
    const b = document.createElement('candor-progress');
    for (const el of [a, b]) {
      el.setAttribute('src', src);
      el.setAttribute('refresh', '1');
      el.setAttribute('key-result-id', 'kr-1');
    }
    document.body.append(a, b);
    await next(a, 'candor-load');
    await new Promise((r) => setTimeout(r, 2300));
    const n = await hits(src);
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(3);
    expect(a.refresh).toBe(1);
  });

  it('follows the server change stream with live and refetches on each change', async () => {
    const el = document.createElement('candor-team-board');
    el.setAttribute('team-id', 'team-platform');
    el.setAttribute('live', '');
    el.src = `${server}/live/v1/document`;
    document.body.append(el);
    await next(el, 'candor-load');
    await settled(el);
    const before = el.shadowRoot!.querySelector('h2')!.textContent!;
    expect(before).toMatch(/^Platform r\d+$/);
    // Wait for the EventSource to connect, then announce a change.
    let listeners = 0;
    for (let i = 0; i < 50 && listeners === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listeners = Number(await (await fetch(`${server}/live/bump`)).text());
    }
    expect(listeners).toBe(1);
    await expect.poll(() => el.shadowRoot!.querySelector('h2')!.textContent, { timeout: 5000 }).not.toBe(before);
    el.remove(); // closes the stream
  });

  it('shows a loading state first, then content', async () => {
    const el = await mount('candor-objective', {}, { src: unique('/ok.json') });
    const state = el.shadowRoot!.querySelector('[part=state]');
    if (state) expect(state.textContent).toMatch(/Loading|Couldn/);
    await next(el, 'candor-load').catch(() => undefined);
    await settled(el);
    expect(el.shadowRoot!.querySelector('[part=card]')).not.toBeNull();
  });
});

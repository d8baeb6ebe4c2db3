// The single-file bundle renames the widgets' private members (`_focus`, `_toggle`, `_errors`… →
// short names) and squeezes their templates. The browser tests run the sources, so this drives the
// built bundle itself through the interactive paths (tree keyboard, kudos, form validation) in Chromium.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath, CHROMIUM_ARGS } from '../../scripts/chromium.ts';
import { buildBundle, privateNames, squeezeTemplates } from '../../scripts/build-widgets.ts';

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bundle</title>
<script type="module" src="/candor-widgets.js"></script></head><body>
<candor-alignment-tree src="/doc.json" expand-depth="1"></candor-alignment-tree>
<candor-checkin-feed src="/doc.json" limit="5"></candor-checkin-feed>
<candor-checkin-form src="/doc.json" key-result-id="kr-1" person-id="ana-moreau"></candor-checkin-form>
</body></html>`;

let dir: string;
let server: Server;
let browser: Browser;
let base: string;
let code: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candor-bundle-'));
  await buildBundle(join(dir, 'candor-widgets.js'));
  code = readFileSync(join(dir, 'candor-widgets.js'), 'utf8');
  const files: Record<string, [string, string | Buffer]> = {
    '/': ['text/html', PAGE],
    '/favicon.ico': ['image/x-icon', ''],
    '/candor-widgets.js': ['text/javascript', code],
    '/doc.json': ['application/json', readFileSync(new URL('../fixtures/sample-small.json', import.meta.url))],
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': f[0] }).end(f[1]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(base + '/');
  await page.waitForFunction(() =>
    ['candor-alignment-tree', 'candor-checkin-feed', 'candor-checkin-form'].every((t) => {
      const root = document.querySelector(t)?.shadowRoot;
      return root && root.childElementCount > 0 && !root.querySelector('[part=state]');
    }),
  );
  return { page, problems };
}

describe('single-file bundle', () => {
  it('renames private members only, never public properties, attributes or events', () => {
    const names = privateNames(['widgets/shared/base.ts', 'widgets/alignment-tree/alignment-tree.ts', 'node_modules/lit-html/lit-html.js']);
    expect(names).toContain('_follow');
    expect(names).toContain('_moveTo');
    for (const name of ['_follow', '_teardown', '_moveTo', '_visible']) expect(code).not.toMatch(new RegExp(`\\.${name}\\b`));
    for (const kept of ['objectiveId', 'keyResultId', 'expandDepth', 'candor-select', 'candor-toggle', 'candor-kudos', 'candor-checkin', '_zod']) expect(code).toContain(kept);
  });

  it('squeezes nested templates without touching expressions', () => {
    const src = "const t = html`<ul>\n  ${xs.map((x) => html`<li>\n    ${x}\n  </li>`)}\n</ul>`;\nconst s = css`\n  a {\n    color: red;\n  }\n`;";
    expect(squeezeTemplates(src)).toBe("const t = html`<ul> ${xs.map((x) => html`<li> ${x} </li>`)} </ul>`;\nconst s = css`a{color:red}`;");
  });

  it('moves through the alignment tree with the keyboard, expands with → and collapses with ←', async () => {
    const { page, problems } = await open();
    const tree = page.locator('candor-alignment-tree');
    const events: string[] = await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __seen: string[] }).__seen = seen;
      document.addEventListener('candor-toggle', (e) => seen.push(`toggle ${(e as CustomEvent).detail.expanded}`));
      document.addEventListener('candor-select', (e) => seen.push(`select ${(e as CustomEvent).detail.kind}`));
      return seen;
    });
    expect(events).toEqual([]);
    const focusedLabel = () => tree.evaluate((el) => (el.shadowRoot!.activeElement as HTMLElement | null)?.querySelector('.name')?.textContent ?? null);
    await tree.locator('[role=treeitem]').first().focus();
    const first = await focusedLabel();
    await page.keyboard.press('ArrowDown');
    const second = await focusedLabel();
    expect(second).not.toBe(first);
    const closed = tree.locator('[role=treeitem][aria-expanded=false]').first();
    const key = await closed.getAttribute('data-key');
    const shown = await tree.locator('[role=treeitem]').count();
    await closed.focus();
    await page.keyboard.press('ArrowRight');
    const item = tree.locator(`[role=treeitem][data-key="${key}"]`);
    await expect.poll(() => item.getAttribute('aria-expanded')).toBe('true');
    expect(await tree.locator('[role=treeitem]').count()).toBeGreaterThan(shown);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => item.getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Home');
    expect(await focusedLabel()).toBe(first);
    await page.keyboard.press('End');
    expect(await focusedLabel()).not.toBe(first);
    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    expect(seen).toEqual(['toggle true', 'toggle false']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('gives kudos from the feed and validates the check-in form', async () => {
    const { page, problems } = await open();
    const kudos = page.locator('candor-checkin-feed').locator('[part=kudos-button]').first();
    const detail = page.evaluate(() => new Promise((r) => document.addEventListener('candor-kudos', (e) => r((e as CustomEvent).detail), { once: true })));
    await kudos.click();
    expect(await detail).toMatchObject({ target: { kind: 'checkIn' } });
    await expect.poll(() => kudos.getAttribute('aria-pressed')).toBe('true');

    const form = page.locator('candor-checkin-form');
    await form.locator('#value').fill('');
    await form.locator('[part=submit]').click();
    await expect.poll(() => form.locator('#value').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('[part=error]').first().textContent()).toBeTruthy();
    const checkIn = page.evaluate(() => new Promise((r) => document.addEventListener('candor-checkin', (e) => r((e as CustomEvent).detail.checkIn), { once: true })));
    await form.locator('#value').fill('8.1');
    await form.locator('[part=submit]').click();
    expect(await checkIn).toMatchObject({ keyResultId: 'kr-1', authorId: 'ana-moreau', value: 8.1 });
    expect(await form.locator('#value').getAttribute('aria-invalid')).toBe('false');
    expect(problems).toEqual([]);
    await page.close();
  });
});

// The single-file bundle on a host page with a strict CSP (no unsafe-inline, no unsafe-eval) and
// Trusted Types enforced, in Debian Chromium driven by playwright-core.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath, CHROMIUM_ARGS } from '../../scripts/chromium.ts';
import { buildBundle } from '../../scripts/build-widgets.ts';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; object-src 'none'; " +
  "require-trusted-types-for 'script'; trusted-types lit-html";

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CSP host</title>
<script type="module" src="/candor-widgets.js"></script><script type="module" src="/app.js"></script></head><body>
<candor-team-board src="/doc.json" team-id="team-platform" cycle-id="2026-q2"></candor-team-board>
<candor-objective src="/doc.json" objective-id="obj-4"></candor-objective>
<candor-key-result src="/doc.json" key-result-id="kr-1"></candor-key-result>
<candor-progress src="/doc.json" key-result-id="kr-1" variant="ring"></candor-progress>
<candor-sparkline src="/doc.json" key-result-id="kr-1"></candor-sparkline>
<candor-alignment-tree src="/doc.json" expand-depth="3"></candor-alignment-tree>
<candor-checkin-feed src="/doc.json" limit="20"></candor-checkin-feed>
<candor-checkin-form src="/doc.json" key-result-id="kr-1" person-id="ana-moreau"></candor-checkin-form>
</body></html>`;

// Runs as a file (inline scripts are refused): tries an innerHTML sink to prove Trusted Types are enforced.
const APP = `window.__ttEnforced = (() => { try { document.createElement('div').innerHTML = '<b>x</b>'; return false; } catch { return true; } })();`;

let dir: string;
let server: Server;
let browser: Browser;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'candor-csp-'));
  await buildBundle(join(dir, 'candor-widgets.js'));
  const files: Record<string, [string, string | Buffer]> = {
    '/': ['text/html', PAGE],
    '/app.js': ['text/javascript', APP],
    '/favicon.ico': ['image/x-icon', ''],
    '/candor-widgets.js': ['text/javascript', readFileSync(join(dir, 'candor-widgets.js'))],
    '/doc.json': ['application/json', readFileSync(new URL('../fixtures/sample-small.json', import.meta.url))],
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    res.setHeader('Content-Security-Policy', CSP);
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

describe('strict CSP and Trusted Types', () => {
  it('renders every widget with no CSP violation and no error', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.addInitScript(() => {
      (window as unknown as { __violations: string[] }).__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`),
      );
    });
    await page.goto(base + '/');
    await page.waitForFunction(() => {
      const tags = ['candor-team-board', 'candor-objective', 'candor-key-result', 'candor-progress', 'candor-sparkline', 'candor-alignment-tree', 'candor-checkin-feed', 'candor-checkin-form'];
      return tags.every((t) => {
        const root = document.querySelector(t)?.shadowRoot;
        return root && root.childElementCount > 0 && !root.querySelector('[part=state]');
      });
    }, undefined, { timeout: 15_000 });
    const report = await page.evaluate(() => {
      const q = (t: string, s: string) => document.querySelector(t)!.shadowRoot!.querySelector(s);
      return {
        // Our own innerHTML probe (app.js) is the one expected violation.
        violations: (window as unknown as { __violations: string[] }).__violations.filter((v) => !v.includes('<b>x</b>')),
        ttEnforced: (window as unknown as { __ttEnforced: boolean }).__ttEnforced,
        treeItems: document.querySelector('candor-alignment-tree')!.shadowRoot!.querySelectorAll('[role=treeitem]').length,
        progressFill: q('candor-progress', '[part=fill]')?.getAttribute('stroke-dasharray'),
        cardBackground: getComputedStyle(q('candor-objective', '[part=card]')!).backgroundColor,
        feedEntries: document.querySelector('candor-checkin-feed')!.shadowRoot!.querySelectorAll('[part=entry]').length,
      };
    });
    expect(report.ttEnforced).toBe(true);
    expect(report.violations).toEqual([]);
    // The probe's own refusal is the one expected console error.
    expect(problems.filter((p) => !p.includes("requires 'TrustedHTML' assignment"))).toEqual([]);
    expect(report.treeItems).toBeGreaterThan(10);
    expect(report.progressFill).toMatch(/^\d+(\.\d+)? 100$/);
    expect(report.cardBackground).toBe('rgb(255, 255, 255)'); // adopted stylesheets applied
    expect(report.feedEntries).toBe(20);
    // The form works too: submit emits a validated check-in.
    const detail = await page.evaluate(async () => {
      const form = document.querySelector('candor-checkin-form')!;
      const root = form.shadowRoot!;
      (root.querySelector('#value') as HTMLInputElement).value = '12';
      const got = new Promise<unknown>((r) => form.addEventListener('candor-checkin', (e) => r((e as CustomEvent).detail), { once: true }));
      (root.querySelector('[part=submit]') as HTMLButtonElement).click();
      return got;
    });
    expect(detail).toMatchObject({ checkIn: { keyResultId: 'kr-1', value: 12, authorId: 'ana-moreau' } });
    expect(await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations.filter((v) => !v.includes('<b>x</b>')))).toEqual([]);
    await page.close();
  });

  it('follows prefers-color-scheme and prefers-reduced-motion of the host', async () => {
    const page = await browser.newPage();
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await page.goto(base + '/');
    await page.waitForFunction(() => document.querySelector('candor-objective')?.shadowRoot?.querySelector('[part=card]'));
    const look = await page.evaluate(() => {
      const card = document.querySelector('candor-objective')!.shadowRoot!.querySelector('[part=card]')!;
      const fill = document.querySelector('candor-progress')!.shadowRoot!.querySelector('[part=fill]')!;
      return { background: getComputedStyle(card).backgroundColor, transition: getComputedStyle(fill).transitionDuration };
    });
    expect(look.background).toBe('rgb(21, 27, 35)');
    expect(look.transition).toBe('0s');
    // An explicit theme wins over the system preference.
    const light = await page.evaluate(async () => {
      const el = document.querySelector('candor-objective')! as HTMLElement & { updateComplete: Promise<boolean> };
      el.setAttribute('theme', 'light');
      await el.updateComplete;
      return getComputedStyle(el.shadowRoot!.querySelector('[part=card]')!).backgroundColor;
    });
    expect(light).toBe('rgb(255, 255, 255)');
    await page.close();
  });
});

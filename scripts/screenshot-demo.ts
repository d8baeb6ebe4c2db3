// `tsx scripts/screenshot-demo.ts [out.png] [light|dark]`: builds nothing; serves the demo (run
// `npm run build:widgets` first) and saves a full-page screenshot with Debian Chromium.
import { chromium } from 'playwright-core';
import { chromiumPath, CHROMIUM_ARGS } from './chromium.ts';
import { serveDemo } from './serve-demo.ts';

const out = process.argv[2] ?? 'docs/screenshot.png';
const theme = process.argv[3] ?? 'light';
const server = await serveDemo(0);
const { port } = server.address() as { port: number };
const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/?theme=${theme}`);
  await page.waitForFunction(() => document.querySelector('[data-snippet="candor-objective"]')?.textContent?.includes('objective-id'));
  // Long lists use content-visibility: auto, so grow the viewport to the page for a full picture.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1280, height });
  await page.waitForTimeout(400);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}${problems.length ? `; page problems: ${problems.join(' | ')}` : ''}`);
} finally {
  await browser.close();
  server.close();
}

// Widgets: single-file bundle size (budget ≤ 25 kB gzip) and first render of the alignment tree
// (5,000 nodes) and the check-in feed (1,000 entries) in headless Chromium, median of several runs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath, CHROMIUM_ARGS } from '../scripts/chromium.ts';
import { buildBundle, dominators } from '../scripts/build-widgets.ts';
import { median, ms, kB, type BenchRow } from './table.ts';
import { parseDocument } from '../core/model/index.ts';
import { build as esbuild } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const RUNS = 7;

/** An organisation whose tree has about 5,000 nodes: company, 55 teams, 1,650 people, 3,300 objectives. */
export function bigOrganisation(): unknown {
  const at = new Date().toISOString();
  const day = at.slice(0, 10);
  const start = `${day.slice(0, 4)}-01-01`;
  const end = `${day.slice(0, 4)}-12-31`;
  const teams = [];
  const people = [];
  const objectives = [];
  const keyResults = [];
  const checkIns = [];
  for (let d = 0; d < 5; d++) {
    teams.push({ id: `div-${d}`, name: `Division ${d + 1}`, leadIds: [] });
    for (let t = 0; t < 10; t++) {
      const teamId = `team-${d}-${t}`;
      teams.push({ id: teamId, name: `Team ${d + 1}.${t + 1}`, parentId: `div-${d}`, leadIds: [] });
      for (let p = 0; p < 33; p++) {
        const personId = `p-${d}-${t}-${p}`;
        people.push({ id: personId, name: `Person ${d}-${t}-${p}`, teamIds: [teamId] });
        for (let o = 0; o < 2; o++) {
          const id = `${personId}-o${o}`;
          objectives.push({ id, cycleId: 'y', title: `Objective ${o + 1} of ${personId}`, owner: { kind: 'person', id: personId }, createdAt: at, updatedAt: at });
          keyResults.push({ id: `${id}-k`, objectiveId: id, title: 'Move the number', metric: { kind: 'increase', start: 0, target: 100 } });
        }
      }
    }
  }
  for (let i = 0; i < 1000; i++) {
    const kr = keyResults[i % keyResults.length]!;
    checkIns.push({
      id: `c${i}`,
      keyResultId: kr.id,
      authorId: people[i % people.length]!.id,
      at: new Date(Date.now() - i * 3_600_000).toISOString(),
      value: (i * 7) % 100,
      confidence: 0.7,
      note: `Progress note number ${i}: shipped a slice, next up the rest.`,
    });
  }
  return { format: 'candor', version: 1, people, teams, cycles: [{ id: 'y', name: 'This year', start, end }], objectives, keyResults, checkIns };
}

export async function run(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'candor-bench-widgets-'));
  const rows: BenchRow[] = [];
  try {
    const file = join(dir, 'candor-widgets.js');
    const { bytes, gzip, metafile } = await buildBundle(file);
    rows.push({ group: 'widgets', name: 'single-file bundle, minified', value: kB(bytes) });
    rows.push({ group: 'widgets', name: 'single-file bundle, gzip -9', value: kB(gzip), budget: '≤ 25 kB', verdict: gzip <= 25_000 ? 'within' : 'over' });
    rows.push({ group: 'widgets', name: 'largest inputs (min)', value: dominators(metafile, 5).map((d) => `${d.name} ${kB(d.bytes)}`).join(', ') });
    // What the bundle costs before any widget code: Lit + zod/mini + core model (parseDocument) + core scoring.
    for (const [name, code] of [
      ['lit alone', `import { LitElement, html, svg, css } from 'lit'; console.log(LitElement, html, svg, css);`],
      [
        'lit + zod/mini + core/model + core/scoring (no widget code)',
        `import { LitElement, html, svg, css } from 'lit';
         import { parseDocumentText, parseRecord } from './core/model/index.ts';
         import { scoreDocument, orgTree, alignmentPath, netConfidence, currentCycle, gradeOf } from './core/scoring/index.ts';
         console.log(LitElement, html, svg, css, parseDocumentText, parseRecord, scoreDocument, orgTree, alignmentPath, netConfidence, currentCycle, gradeOf);`,
      ],
    ] as const) {
      const r = await esbuild({ stdin: { contents: code, resolveDir: root, loader: 'ts' }, bundle: true, minify: true, format: 'esm', write: false, conditions: ['production'], logLevel: 'silent' });
      rows.push({ group: 'widgets', name: `floor: ${name}, gzip -9`, value: kB(gzipSync(r.outputFiles[0]!.contents, { level: 9 }).length) });
    }

    const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ type: 'module', content: `${readFileSync(file, 'utf8')}\nwindow.__candor = { loadDocument, clearDocumentCache };` });
      await page.waitForFunction(() => customElements.get('candor-alignment-tree'));
      const parsed = parseDocument(bigOrganisation());
      if (!parsed.ok) throw parsed.error;
      const doc = JSON.stringify(parsed.value);
      await page.evaluate((text) => ((window as unknown as { __text: string }).__text = text), doc);

      const measure = (tag: string, attrs: Record<string, string>) =>
        page.evaluate(
          async ({ tag, attrs }) => {
            document.body.replaceChildren();
            const data = JSON.parse((window as unknown as { __text: string }).__text);
            const el = document.createElement(tag) as HTMLElement & { document: unknown; updateComplete: Promise<boolean> };
            for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
            const t0 = performance.now();
            el.document = data;
            document.body.append(el);
            await el.updateComplete;
            // Nested widgets (objective cards) finish their own first render too.
            for (const inner of el.shadowRoot!.querySelectorAll('*')) if ('updateComplete' in inner) await (inner as { updateComplete: Promise<boolean> }).updateComplete;
            el.getBoundingClientRect(); // layout
            const t1 = performance.now();
            const items = el.shadowRoot!.querySelectorAll('[role=treeitem], [part=entry]').length;
            return { ms: t1 - t0, items };
          },
          { tag, attrs },
        );

      const cases: [string, string, Record<string, string>][] = [
        ['alignment tree, 5,000 nodes, first render (top levels open)', 'candor-alignment-tree', {}],
        ['alignment tree, 5,000 nodes, first render (all open)', 'candor-alignment-tree', { 'expand-depth': '9' }],
        ['check-in feed, 1,000 entries, first render', 'candor-checkin-feed', { limit: '1000' }],
      ];
      for (const [name, tag, attrs] of cases) {
        const times: number[] = [];
        let items = 0;
        const deadline = Date.now() + 60_000;
        for (let i = 0; i < RUNS && Date.now() < deadline; i++) {
          const r = await measure(tag, attrs);
          times.push(r.ms);
          items = r.items;
        }
        rows.push({ group: 'widgets', name: `${name} (${items} rendered), median of ${times.length}`, value: ms(median(times)) });
      }
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

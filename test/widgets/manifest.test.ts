// custom-elements.json is committed and shipped: it must list every widget and match the sources.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const TAGS = ['candor-progress', 'candor-sparkline', 'candor-key-result', 'candor-objective', 'candor-alignment-tree', 'candor-checkin-feed', 'candor-team-board', 'candor-checkin-form'];

interface Decl {
  tagName?: string;
  description?: string;
  attributes?: { name: string; description?: string }[];
  events?: { name: string; description?: string }[];
  cssParts?: { name: string; description?: string }[];
  cssProperties?: { name: string; description?: string }[];
}
const declarations = (m: { modules: { declarations?: Decl[] }[] }) => m.modules.flatMap((x) => x.declarations ?? []);

describe('custom-elements.json', () => {
  it('is up to date with the widgets (run `npm run cem` when this fails)', () => {
    // The analyzer resolves --outdir against the working directory.
    const out = mkdtempSync(join(root, 'node_modules/.cache-candor-cem-'));
    try {
      execFileSync(join(root, 'node_modules/.bin/cem'), ['analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', out.slice(root.length + 1)], { cwd: root, stdio: 'pipe' });
      const fresh = JSON.parse(readFileSync(join(out, 'custom-elements.json'), 'utf8'));
      const committed = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
      expect(committed).toEqual(fresh);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it('documents every component: attributes, events, parts and custom properties', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
    const byTag = new Map(declarations(manifest).filter((d) => d.tagName).map((d) => [d.tagName!, d]));
    expect([...byTag.keys()].sort()).toEqual([...TAGS].sort());
    for (const [tag, d] of byTag) {
      expect(d.description, tag).toBeTruthy();
      for (const a of d.attributes ?? []) expect(a.description, `${tag} [${a.name}]`).toBeTruthy();
      for (const e of d.events ?? []) expect(e.description, `${tag} @${e.name}`).toBeTruthy();
      for (const p of d.cssParts ?? []) expect(p.description, `${tag} ::part(${p.name})`).toBeTruthy();
      expect((d.cssProperties ?? []).some((p) => p.name === '--candor-accent'), tag).toBe(true);
      expect((d.attributes ?? []).map((a) => a.name)).toEqual(expect.arrayContaining(['src', 'refresh', 'live', 'locale', 'theme']));
      expect((d.events ?? []).map((e) => e.name)).toEqual(expect.arrayContaining(['candor-load', 'candor-error']));
    }
  });
});

// `npm run build:widgets`: the single-file bundle for a <script type="module"> tag
// (dist/widgets/candor-widgets.js, Lit inlined, minified), unbundled ESM for npm users
// (dist/widgets/esm/…, the `exports` map of package.json points there), and sample data for the demo.
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/widgets');

/** Every .ts file under `dir`, skipping the demo. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'demo' ? [] : sources(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * Squeezes the whitespace out of Lit `css`, `html` and `svg` tagged templates in the widgets' sources
 * (esbuild keeps template literals verbatim). The templates are found with the TypeScript parser, so
 * templates nested in another template's `${…}` are squeezed too. CSS loses comments and spaces around
 * punctuation; HTML keeps one space where there was any, so inline text spacing is unchanged.
 */
export const minifyTemplates: Plugin = {
  name: 'candor-minify-templates',
  setup(b) {
    b.onLoad({ filter: /[\\/]widgets[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return { contents: squeezeTemplates(source, args.path), loader: 'ts' };
    });
  },
};

/** `source` with the static text of every css/html/svg tagged template squeezed (see {@link minifyTemplates}). */
export function squeezeTemplates(source: string, fileName = 'widget.ts'): string {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && /^(css|html|svg)$/.test(node.tag.text)) {
      const isCss = node.tag.text === 'css';
      const t = node.template;
      const parts: ts.Node[] = ts.isNoSubstitutionTemplateLiteral(t) ? [t] : [t.head, ...t.templateSpans.map((span) => span.literal)];
      parts.forEach((part, i) => {
        const start = part.getStart(sf);
        const raw = source.slice(start, part.end);
        const open = 1; // "`" or "}"
        const close = raw.endsWith('${') ? 2 : 1; // "${" or "`"
        const body = raw.slice(open, raw.length - close);
        let text = isCss ? squeezeCss(body) : body.replace(/\s*\n\s*/g, ' ');
        if (isCss && i === 0) text = text.trimStart();
        if (isCss && i === parts.length - 1) text = text.trimEnd();
        if (text !== body) edits.push({ start: start + open, end: part.end - close, text });
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  let out = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** CSS text without comments and without the spaces punctuation makes redundant; a space next to `${…}` stays one space. */
function squeezeCss(body: string): string {
  return body
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}');
}

/**
 * The widgets' own private members (`private`/`protected` fields and methods named `_x`, and
 * `state: true` reactive properties), which the single-file bundle may rename to short names.
 * A name that also occurs in any other input of the bundle (Lit, zod, core) is left alone, so only
 * properties the widgets alone read and write are renamed; public API, attributes and Lit's or zod's
 * own protocol properties (`_$litType$`, `_zod`) keep their names.
 */
export function privateNames(inputs: string[]): string[] {
  const mine = new Set<string>();
  const others: string[] = [];
  for (const path of inputs) {
    const text = readFileSync(join(root, path), 'utf8');
    if (!/^widgets\//.test(path)) {
      others.push(text);
      continue;
    }
    for (const m of text.matchAll(/\b(?:private|protected)\s+(?:(?:readonly|static|override|declare)\s+)*(_[A-Za-z]\w*)/g)) mine.add(m[1]!);
    for (const m of text.matchAll(/^\s*(_[A-Za-z]\w*): \{ state: true \}/gm)) mine.add(m[1]!);
  }
  const foreign = others.join('\n');
  return [...mine].filter((name) => !new RegExp(`\\b${name}\\b`).test(foreign)).sort();
}

const bundleOptions: BuildOptions = {
  entryPoints: [join(root, 'widgets/candor-widgets.ts')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  sourcemap: false,
  define: { 'process.env.NODE_ENV': '"production"' },
  conditions: ['production'],
  logLevel: 'warning',
  plugins: [minifyTemplates],
};

/** Builds the single-file bundle into `outfile`; returns its sizes and the metafile. */
export async function buildBundle(outfile = join(out, 'candor-widgets.js')): Promise<{ bytes: number; gzip: number; metafile: Metafile }> {
  // A first, unwritten pass lists the inputs, so private names can be checked against everything else bundled.
  const probe = await build({ ...bundleOptions, metafile: true, write: false, outfile });
  const names = privateNames(Object.keys(probe.metafile!.inputs));
  const result = await build({
    ...bundleOptions,
    outfile,
    metafile: true,
    ...(names.length ? { mangleProps: new RegExp(`^(?:${names.join('|')})$`) } : {}),
  });
  const code = readFileSync(outfile);
  return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile! };
}

/** Unbundled ES modules: each .ts becomes .js with its relative imports rewritten; lit and zod stay imports. */
async function buildModules(): Promise<number> {
  const files = [...sources(join(root, 'widgets')), ...sources(join(root, 'core/model')), ...sources(join(root, 'core/scoring'))];
  await build({
    entryPoints: files,
    outdir: join(out, 'esm'),
    outbase: root,
    bundle: false,
    format: 'esm',
    target: 'es2022',
    logLevel: 'warning',
    write: true,
  });
  for (const f of files) {
    const js = join(out, 'esm', relative(root, f)).replace(/\.ts$/, '.js');
    const text = readFileSync(js, 'utf8').replace(/(from\s*|import\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\.ts\2/g, '$1$2$3.js$2');
    writeFileSync(js, text);
  }
  return files.length;
}

/** Type declarations beside the modules (`.d.ts`), their relative imports pointing at `.js` like the code. */
function buildDeclarations(): number {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'scripts/tsconfig.widgets-dts.json')], { stdio: 'inherit' });
  let n = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.d.ts')) {
        writeFileSync(p, readFileSync(p, 'utf8').replace(/(from\s*|import\s*\(\s*)(["'])(\.{1,2}\/[^"']+)\.ts\2/g, '$1$2$3.js$2'));
        n++;
      }
    }
  };
  walk(join(out, 'esm'));
  return n;
}

/** The sample organisation the demo shows: generated now (so the quarter is live), else the fixture. */
async function writeSample(): Promise<string> {
  const target = join(out, 'sample.json');
  try {
    const { generateSampleOrganisation } = await import('../core/sample/index.ts');
    writeFileSync(target, JSON.stringify(generateSampleOrganisation({ seed: 7, people: 36 }), null, 1));
    return 'generated';
  } catch (e) {
    writeFileSync(target, readFileSync(join(root, 'test/fixtures/sample-small.json')));
    return `fixture (${(e as Error).message})`;
  }
}

/** The biggest contributors to the bundle, by package or folder. */
export function dominators(metafile: Metafile, top = 8): { name: string; bytes: number }[] {
  const by = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, info] of Object.entries(output.inputs)) {
      const parts = path.split('/');
      const nm = parts.lastIndexOf('node_modules');
      const key = nm >= 0 ? parts.slice(nm + 1, parts[nm + 1]!.startsWith('@') ? nm + 3 : nm + 2).join('/') : parts.slice(0, 2).join('/');
      by.set(key, (by.get(key) ?? 0) + info.bytesInOutput);
    }
  }
  return [...by].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
}

/** The whole widgets build into dist/widgets; prints what it wrote. */
export async function buildWidgets(options: { types?: boolean } = {}): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const bundle = await buildBundle();
  const modules = await buildModules();
  const declarations = options.types === false ? 0 : buildDeclarations();
  const sample = await writeSample();
  const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
  console.log(`dist/widgets/candor-widgets.js  ${kb(bundle.bytes)} min, ${kb(bundle.gzip)} gzip (budget 25 kB gzip)`);
  console.log(`dist/widgets/esm/  ${modules} modules, ${declarations} declaration files`);
  console.log(`dist/widgets/sample.json  ${sample}`);
  console.log('largest inputs (minified bytes): ' + dominators(bundle.metafile).map((d) => `${d.name} ${kb(d.bytes)}`).join(', '));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWidgets({ types: !process.argv.includes('--no-types') });
}

// `npm run bench`: runs every bench/*.bench.ts and prints one table of figures.
// Benchmarks report; they never fail on a timing. A budget column says how a figure compares.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchRow } from './table.ts';
import { printTable } from './table.ts';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const rows: BenchRow[] = [];
for (const file of files) {
  const started = performance.now();
  process.stderr.write(`bench: ${file}…\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchRow[]> };
    const got = await mod.run();
    rows.push(...got);
    printTable(got, file);
  } catch (e) {
    rows.push({ group: file, name: 'failed to run', value: String((e as Error).message).slice(0, 80) });
    console.error(e);
  }
  process.stderr.write(`bench: ${file} took ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
console.log('\n== All figures ==');
printTable(rows);

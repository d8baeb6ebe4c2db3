/** One figure: what was measured, its value with unit, and the budget it is held to (if any). */
export interface BenchRow {
  group: string;
  name: string;
  value: string;
  budget?: string;
  /** 'within' | 'over' | undefined — reported, never failing. */
  verdict?: 'within' | 'over';
}

/** Prints rows as an aligned text table. */
export function printTable(rows: BenchRow[], title?: string): void {
  if (title) console.log(`\n== ${title} ==`);
  const cols: (keyof BenchRow)[] = ['group', 'name', 'value', 'budget', 'verdict'];
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i]!)).join('  ').trimEnd();
  console.log(line(cols as string[]));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => String(r[c] ?? ''))));
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Milliseconds with sensible precision. */
export const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;
/** Kilobytes. */
export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

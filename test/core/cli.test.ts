import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocumentText } from '../../core/model/index.ts';
import { readCsv, CSV_COLUMNS } from '../../core/io/index.ts';
import { runCli, type CliIo } from '../../core/cli/main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures');
const SMALL = join(FIXTURES, 'sample-small.json');
const AT = '2026-05-20';

/** Runs the real `candor` binary, as a user or a script would. */
function candor(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/candor.mjs'), ...args], { cwd: ROOT, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI in-process with captured output (fast, for the many small cases). */
async function inProcess(args: string[], files: Record<string, string> = {}, stdin = '') {
  let stdout = '';
  let stderr = '';
  const written: Record<string, string> = {};
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => stdin,
    readFile: async (p) => {
      if (p in files) return files[p]!;
      return readFileSync(p, 'utf8');
    },
    writeFile: async (p, t) => void (written[p] = t),
    now: () => new Date('2026-05-20T12:00:00Z'),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr, written };
}

// Spawning node + tsx takes a second or more per run on a busy machine: allow time.
describe('candor (spawned)', { timeout: 120_000 }, () => {
  it('validate: a valid document exits 0 with a summary', () => {
    const r = candor(['validate', SMALL]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sample-small\.json: valid Candor document \(12 people, \d+ teams, 2 cycles, 30 objectives, 90 key results, \d+ check-ins\)/);
  });

  it('validate: an invalid document exits 1 naming every problem by path', () => {
    const r = candor(['validate', join(FIXTURES, 'invalid-document.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a valid Candor document (2 problems):');
    expect(r.stderr).toContain('keyResults[0].metric.target: expected a number, got "fifty"');
    expect(r.stderr).toContain('keyResults[1].metric.threshold: is required (expected a number)');
    expect(r.stdout).toBe('');
  });

  it('reads standard input for -, in either format', () => {
    const json = readFileSync(SMALL, 'utf8');
    const v = candor(['validate', '-'], json);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^standard input: valid Candor document/);
    const csv = candor(['convert', '-', '--to', 'csv', '--at', AT], json);
    expect(csv.code).toBe(0);
    const back = candor(['validate', '-'], csv.stdout);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/valid Candor CSV \(0 people, 0 teams, 2 cycles, 30 objectives, 90 key results, 0 check-ins\)/);
    expect(back.stderr).toContain('warning: the sheet names 12 people and');
    const bad = candor(['validate', '-'], 'cycle,objective_title,objective_owner_kind,key_result_title,metric_kind,start,target\n2026-q2,A,company,B,increase,1,abc\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('row 2, column target: expected a number, got "abc"');
  });

  it('score: an aligned table of every objective and key result', () => {
    const r = candor(['score', SMALL, '--at', AT]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('ID '))!;
    expect(header).toMatch(/^ID\s+TITLE\s+SCORE\s+STATUS\s+EXPECTED\s+FORECAST$/);
    const statusAt = header.indexOf('STATUS');
    const rows = lines.filter((l) => /^(obj|  kr)-\d+ /.test(l));
    expect(rows).toHaveLength(30 + 90);
    for (const row of rows) expect(row.slice(statusAt)).toMatch(/^(on-track|at-risk|off-track|stale|done)\b/);
    expect(r.stdout).toMatch(/Net confidence [+-]?\d+/);
  });

  it('score --json prints the documented shape', () => {
    const r = candor(['score', SMALL, '--at', `${AT}T12:00:00Z`, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.at).toBe('2026-05-20T12:00:00.000Z');
    expect(json.objectives).toHaveLength(30);
    expect(Object.keys(json.objectives[0]).sort()).toEqual(expect.arrayContaining(['id', 'score', 'status', 'expected', 'keyResults']));
    expect(Object.keys(json.objectives[0].keyResults[0]).sort()).toEqual(['id', 'progress', 'score', 'status']);
    expect(typeof json.netConfidence).toBe('number');
  });

  it('convert --to md and sample, piped together', () => {
    const sample = candor(['sample', '--people', '5', '--seed', '3', '--at', AT]);
    expect(sample.code).toBe(0);
    const doc = parseDocumentText(sample.stdout);
    expect(doc.ok).toBe(true);
    if (doc.ok) expect(doc.value.people).toHaveLength(5);
    expect(candor(['sample', '--people', '5', '--seed', '3', '--at', AT]).stdout).toBe(sample.stdout);
    const md = candor(['convert', '-', '--to', 'md', '--at', AT], sample.stdout);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# OKRs: Q2 2026\n/);
    expect(md.stdout).toMatch(/^### .+ — \d\.\d, (on track|at risk|off track|no recent check-in|done)$/m);
  });

  it('usage errors exit 2 with a hint; --help exits 0', () => {
    for (const args of [[], ['score', SMALL, '--at', 'yesterday']]) {
      const r = candor(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/--help/);
    }
    const help = candor(['sample', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: candor sample');
  });
});

describe('candor (in-process)', () => {
  it('every usage error exits 2 with a hint, every --help exits 0', async () => {
    for (const args of [[], ['frobnicate'], ['score'], ['score', SMALL, SMALL], ['convert', SMALL], ['convert', SMALL, '--to', 'pdf'], ['convert', SMALL, '--to', 'csv', '--delimiter', '|'], ['sample', '--people', 'lots'], ['sample', '--people', '0'], ['sample', 'extra'], ['validate', SMALL, '--colour']]) {
      const r = await inProcess(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/--help/);
    }
    for (const cmd of ['validate', 'score', 'convert', 'sample']) {
      const r = await inProcess([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: candor ${cmd}`);
    }
    expect((await inProcess(['--help'])).stdout).toContain('candor validate FILE');
    expect((await inProcess(['help', 'score'])).stdout).toContain('Usage: candor score');
    expect((await inProcess(['validate', SMALL, '--colour'])).stderr).toMatch(/^candor validate: unknown option --colour/);
  });

  it('a missing file is invalid input (exit 1), not a crash', async () => {
    const r = await inProcess(['validate', join(FIXTURES, 'does-not-exist.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*does-not-exist\.json: no such file/);
    const empty = await inProcess(['validate', '-'], {}, '  \n');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('standard input is empty\n');
  });

  it('scores the hand-written CSV template', async () => {
    const r = await inProcess(['score', join(FIXTURES, 'okrs-template.csv'), '--at', AT]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Delight customers/);
    expect(r.stdout).toMatch(/Ship faster, safely/);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('  o-'))).toHaveLength(4);
  });

  it('convert --to csv writes the documented columns, with ; on request, to a file with -o', async () => {
    const r = await inProcess(['convert', SMALL, '--to', 'csv', '--at', AT, '--delimiter', ';', '-o', 'out.csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const table = readCsv(r.written['out.csv']!);
    expect(table.delimiter).toBe(';');
    expect(table.rows[0]).toEqual([...CSV_COLUMNS]);
    expect(table.rows).toHaveLength(91);
  });

  it('convert --to json normalises a document (stable key order)', async () => {
    const shuffled = JSON.stringify({ version: 1, format: 'candor', cycles: [{ end: '2026-06-30', start: '2026-04-01', name: 'Q2', id: 'q2' }] });
    const r = await inProcess(['convert', '-', '--to', 'json'], {}, shuffled);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\{\n {2}"format": "candor",\n {2}"version": 1,\n {2}"generatedAt"/);
    expect(r.stdout).toContain('{\n      "id": "q2",\n      "name": "Q2",\n      "start": "2026-04-01",\n      "end": "2026-06-30"\n    }');
  });

  it('validate --json reports errors as data', async () => {
    const r = await inProcess(['validate', join(FIXTURES, 'invalid-document.json'), '--json']);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.valid).toBe(false);
    expect(json.errors.map((e: { path: string }) => e.path)).toEqual(['keyResults[0].metric.target', 'keyResults[1].metric.threshold']);
    const ok = JSON.parse((await inProcess(['validate', SMALL, '--json'])).stdout);
    expect(ok).toMatchObject({ valid: true, format: 'json', counts: { people: 12, objectives: 30, keyResults: 90 } });
  });

  it('refuses an unknown --cycle and a newer document version', async () => {
    expect((await inProcess(['score', SMALL, '--cycle', '1999-q1'])).code).toBe(2);
    const newer = await inProcess(['validate', '-'], {}, '{"format":"candor","version":2}');
    expect(newer.code).toBe(1);
    expect(newer.stderr).toMatch(/version 2, written by a newer Candor/);
  });
});

describe('candor sample -o', { timeout: 120_000 }, () => {
  it('writes a file the other commands read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'candor-cli-'));
    try {
      const file = join(dir, 'org.json');
      expect(candor(['sample', '--people', '8', '--at', AT, '-o', file]).code).toBe(0);
      const r = candor(['validate', file]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('8 people');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

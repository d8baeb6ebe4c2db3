/**
 * `candor`: validate, score and convert Candor documents (JSON or the CSV template) and print a sample
 * organisation, for intranet admins and scripts. Exit codes: 0 ok, 1 invalid input, 2 usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { emptyDocument, parseDocumentText, type CandorDocument, type FormatIssue } from '../model/index.ts';
import { scoreDocument, toScoreJson, type DocumentScores } from '../scoring/index.ts';
import { exportCsv, exportJson, exportMarkdown, planImport, detectFormat } from '../io/index.ts';
import { generateSampleOrganisation } from '../sample/index.ts';

export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;

/** Where the CLI reads and writes; the real process by default, something else in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  readFile: (path: string) => Promise<string>;
  writeFile: (path: string, text: string) => Promise<void>;
  /** "Now", for defaults. */
  now: () => Date;
}

let outputGuarded = false;
/** A closed pipe (`candor sample | head`) ends the command quietly; a full disk is reported, not thrown. */
function guardOutput(): void {
  if (outputGuarded) return;
  outputGuarded = true;
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    try {
      process.stderr.write(`candor: cannot write the output: ${e.message}\n`);
    } finally {
      process.exit(EXIT.invalid);
    }
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', () => process.exit(process.exitCode ?? EXIT.invalid));
}

const processIo: CliIo = {
  stdout: (t) => {
    guardOutput();
    process.stdout.write(t);
  },
  stderr: (t) => void process.stderr.write(t),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, text) => writeFile(path, text, 'utf8'),
  now: () => new Date(),
};

class UsageError extends Error {}
class InputError extends Error {
  constructor(
    message: string,
    readonly issues: FormatIssue[] = [],
  ) {
    super(message);
  }
}

const HELP: Record<string, string> = {
  main: `candor — Candor OKRs on the command line

Usage:
  candor validate FILE                      check a Candor JSON document or CSV sheet
  candor score FILE [--at DATE] [--json]    score every objective and key result
  candor convert FILE --to json|csv|md      convert between Candor JSON, CSV and a Markdown summary
  candor sample [--people N] [--seed S]     print a sample organisation (Candor JSON)

FILE is a path, or - to read standard input. It may be a Candor JSON document or
Candor CSV (one row per key result; see core/io/CSV.md); the format is detected.

Run candor COMMAND --help for a command's options.
Exit codes: 0 ok, 1 invalid input, 2 wrong usage.
`,
  validate: `Usage: candor validate FILE [--json]

Checks FILE (a Candor JSON document or Candor CSV, or - for standard input): its shape,
then its integrity (duplicate ids, dangling references, alignment cycles). Prints a
summary and any warnings; on errors prints each one with its path (JSON) or row and
column (CSV) and exits 1.

Options:
  --json        print { valid, format, errors, warnings, counts } as JSON instead
  -h, --help    show this help
`,
  score: `Usage: candor score FILE [--at DATE] [--json] [--cycle ID]

Scores every objective and key result in FILE: score (0-1), status (on-track, at-risk,
off-track, stale, done), expected score by now (the pace) and the forecast at the end
of the cycle, as an aligned table.

Options:
  --at DATE     score as of the end of this day (YYYY-MM-DD, UTC) or an ISO 8601
                instant; default now
  --json        print { at, objectives: [{ id, score, status, expected, forecast?,
                keyResults: [{ id, progress, score, status }] }], netConfidence }
  --cycle ID    only objectives of this cycle (table only)
  -h, --help    show this help
`,
  convert: `Usage: candor convert FILE --to json|csv|md [options]

Converts FILE (Candor JSON or CSV, or - for standard input) to:
  json   a Candor document, keys in a stable order
  csv    Candor CSV, one row per key result (columns in core/io/CSV.md)
  md     a Markdown summary to paste in a chat or an email

Options:
  --to FORMAT          json, csv or md (required)
  --at DATE            the moment scores and statuses are for (csv, md); default now
  --cycle ID|all       md: which cycle to summarise; default the current one
  --include-private    md: include private objectives (left out by default)
  --delimiter ;        csv: use ; and decimal commas (for spreadsheets in such locales)
  --raw                csv: no spreadsheet formula guard on text cells
  -o, --output FILE    write to FILE instead of standard output
  -h, --help           show this help
`,
  sample: `Usage: candor sample [--people N] [--seed S] [options]

Prints a realistic sample organisation as Candor JSON: divisions, teams and people,
the current quarter with aligned company, team and personal objectives, a quarter of
weekly check-ins, comments, kudos, and the previous quarter closed with reflections.
The same seed and options always print the same organisation.

Options:
  --people N                   people in the organisation (default 24)
  --seed S                     random seed, an integer (default 1)
  --at DATE                    "today" for the sample (default today)
  --objectives-per-person N    default 1
  --key-results N              key results per objective (default 3)
  --weeks N                    weeks of check-ins in the current quarter (default all so far)
  --to json|csv|md             output format (default json)
  -o, --output FILE            write to FILE instead of standard output
  -h, --help                   show this help
`,
};

type Spec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Parsed options: `str('at')` for values, `flag('json')` for switches. */
interface Parsed {
  str: (name: string) => string | undefined;
  flag: (name: string) => boolean;
  help: boolean;
  positionals: string[];
}

function parse(command: string, args: string[], options: Spec): Parsed {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    const v = values as Record<string, string | boolean | undefined>;
    return {
      str: (name) => (typeof v[name] === 'string' ? (v[name] as string) : undefined),
      flag: (name) => v[name] === true,
      help: v.help === true,
      positionals,
    };
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option '(.+?)'.*$/s, 'unknown option $1');
    throw new UsageError(`candor ${command}: ${message}`);
  }
}

function atOption(value: string | undefined, io: CliIo): string {
  if (value === undefined) return io.now().toISOString();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const ms = Date.parse(day ? `${value}T23:59:59Z` : value);
  if (!Number.isFinite(ms) || (!day && !/^\d{4}-\d{2}-\d{2}T/.test(value))) {
    throw new UsageError(`--at: expected a day (YYYY-MM-DD) or an ISO 8601 instant, got "${value}"`);
  }
  // A day means the end of that day: "as of 2026-05-20" includes that day's check-ins.
  return new Date(ms).toISOString();
}

function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) throw new UsageError(`--${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function oneFile(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`candor ${command}: FILE is missing (a path, or - for standard input)`);
  if (positionals.length > 1) throw new UsageError(`candor ${command}: expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0]!;
}

async function readInput(file: string, io: CliIo): Promise<string> {
  if (file === '-') return io.readStdin();
  try {
    return await io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new InputError(`cannot read ${file}: ${why}`);
  }
}

interface Loaded {
  document: CandorDocument;
  format: 'json' | 'csv';
  warnings: FormatIssue[];
}

/** Reads a Candor JSON document or Candor CSV; throws InputError listing every problem. */
async function load(file: string, io: CliIo): Promise<Loaded> {
  const text = await readInput(file, io);
  const name = file === '-' ? 'standard input' : file;
  if (!text.trim()) throw new InputError(`${name} is empty`);
  const format = detectFormat(text);
  if (format === 'json') {
    const r = parseDocumentText(text);
    if (!r.ok) throw new InputError(`${name} is not a valid Candor document`, r.error.issues);
    return { document: r.value, format, warnings: r.warnings };
  }
  const r = planImport(emptyDocument(io.now().toISOString()), text, { format: 'csv', now: io.now().toISOString() });
  if (!r.ok) throw new InputError(`${name} is not valid Candor CSV`, r.error.issues);
  // A sheet carries objectives and key results, not the people and teams they name: say so once, not per row.
  const missing = { person: new Set<string>(), team: new Set<string>() };
  const warnings: FormatIssue[] = [];
  for (const w of r.plan.warnings) {
    const m = /: no (person|team) with id "(.*)"$/.exec(w);
    if (m) missing[m[1] as 'person' | 'team'].add(m[2]!);
    else warnings.push({ path: '', message: w, severity: 'warning' });
  }
  if (missing.person.size || missing.team.size) {
    const list = [missing.person.size ? `${missing.person.size} ${missing.person.size === 1 ? 'person' : 'people'}` : '', missing.team.size ? `${missing.team.size} team${missing.team.size === 1 ? '' : 's'}` : '']
      .filter(Boolean)
      .join(' and ');
    warnings.push({ path: '', message: `the sheet names ${list} it does not define (CSV carries cycles, objectives and key results only)`, severity: 'warning' });
  }
  return { document: r.plan.document, format, warnings };
}

const line = (i: FormatIssue) => (i.path ? `${i.path}: ${i.message}` : i.message);

/** Prints warnings to stderr, at most 20 of them. */
function printWarnings(warnings: FormatIssue[], io: CliIo): void {
  for (const w of warnings.slice(0, 20)) io.stderr(`warning: ${line(w)}\n`);
  if (warnings.length > 20) io.stderr(`warning: … and ${warnings.length - 20} more\n`);
}

function counts(doc: CandorDocument): string {
  const parts: [number, string, string][] = [
    [doc.people.length, 'person', 'people'],
    [doc.teams.length, 'team', 'teams'],
    [doc.cycles.length, 'cycle', 'cycles'],
    [doc.objectives.length, 'objective', 'objectives'],
    [doc.keyResults.length, 'key result', 'key results'],
    [doc.checkIns.length, 'check-in', 'check-ins'],
  ];
  return parts.map(([n, one, many]) => `${n} ${n === 1 ? one : many}`).join(', ');
}

async function validate(args: string[], io: CliIo): Promise<number> {
  const opts = parse('validate', args, { json: { type: 'boolean' } });
  if (opts.help) return help('validate', io);
  const file = oneFile('validate', opts.positionals);
  const name = file === '-' ? 'standard input' : file;
  try {
    const { document, format, warnings } = await load(file, io);
    if (opts.flag('json')) {
      io.stdout(JSON.stringify({ valid: true, format, errors: [], warnings, counts: countsJson(document) }, null, 2) + '\n');
      return EXIT.ok;
    }
    io.stdout(`${name}: valid Candor ${format === 'csv' ? 'CSV' : 'document'} (${counts(document)})\n`);
    printWarnings(warnings, io);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InputError && opts.flag('json')) {
      io.stdout(JSON.stringify({ valid: false, errors: e.issues.length ? e.issues : [{ path: '', message: e.message, severity: 'error' }], warnings: [] }, null, 2) + '\n');
      return EXIT.invalid;
    }
    throw e;
  }
}

function countsJson(doc: CandorDocument) {
  return { people: doc.people.length, teams: doc.teams.length, cycles: doc.cycles.length, objectives: doc.objectives.length, keyResults: doc.keyResults.length, checkIns: doc.checkIns.length };
}

const fixed = (x: number | undefined) => (x === undefined ? '' : (Math.round(x * 100) / 100 + 0).toFixed(2));

function clipTitle(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Rows padded to aligned columns; numbers right-aligned. */
function table(header: string[], rows: string[][], right: ReadonlySet<number>): string {
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => {
        const pad = width[i]! - [...c].length;
        return right.has(i) ? ' '.repeat(pad) + c : c + ' '.repeat(pad);
      })
      .join('  ')
      .trimEnd();
  return [fmt(header), fmt(width.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n') + '\n';
}

function scoreTable(doc: CandorDocument, scores: DocumentScores, cycleFilter: string | undefined): string {
  const out: string[] = [];
  const krTitles = new Map(doc.keyResults.map((k) => [k.id, k.title]));
  const cycles = cycleFilter ? doc.cycles.filter((c) => c.id === cycleFilter) : doc.cycles;
  for (const cycle of cycles) {
    const rows: string[][] = [];
    for (const o of doc.objectives) {
      if (o.cycleId !== cycle.id) continue;
      const v = scores.objectives.get(o.id);
      if (!v) continue;
      rows.push([o.id, clipTitle(o.title, 56), fixed(v.score), v.status, fixed(v.expected), fixed(v.forecast?.score)]);
      for (const k of v.keyResults) {
        rows.push([`  ${k.id}`, `  ${clipTitle(krTitles.get(k.id) ?? '', 54)}`, fixed(k.score), k.status, fixed(k.expected), fixed(k.forecast?.score)]);
      }
    }
    out.push(`${cycle.name} (${cycle.id}, ${cycle.start} to ${cycle.end})\n`);
    out.push(rows.length ? table(['ID', 'TITLE', 'SCORE', 'STATUS', 'EXPECTED', 'FORECAST'], rows, new Set([2, 4, 5])) : 'no objectives\n');
    out.push('\n');
  }
  const orphans = doc.objectives.filter((o) => !doc.cycles.some((c) => c.id === o.cycleId));
  if (orphans.length && !cycleFilter) out.push(`${orphans.length} objective(s) without a known cycle are not shown.\n\n`);
  const net = Math.round(scores.netConfidence);
  out.push(`Scored at ${scores.at}. Net confidence ${net > 0 ? '+' : ''}${net} (% on track − % off track, over key results).\n`);
  return out.join('');
}

async function score(args: string[], io: CliIo): Promise<number> {
  const opts = parse('score', args, { at: { type: 'string' }, json: { type: 'boolean' }, cycle: { type: 'string' } });
  if (opts.help) return help('score', io);
  const file = oneFile('score', opts.positionals);
  const at = atOption(opts.str('at'), io);
  const { document, warnings } = await load(file, io);
  if (opts.str('cycle') && !document.cycles.some((c) => c.id === opts.str('cycle'))) {
    throw new UsageError(`--cycle: no cycle "${opts.str('cycle')}" in ${file === '-' ? 'standard input' : file} (cycles: ${document.cycles.map((c) => c.id).join(', ') || 'none'})`);
  }
  const scores = scoreDocument(document, { at });
  if (opts.flag('json')) io.stdout(JSON.stringify(toScoreJson(scores), null, 2) + '\n');
  else io.stdout(scoreTable(document, scores, opts.str('cycle')));
  printWarnings(warnings, io);
  return EXIT.ok;
}

type Target = 'json' | 'csv' | 'md';

function render(doc: CandorDocument, to: Target, opts: Pick<Parsed, 'str' | 'flag'>, at: string): string {
  if (to === 'json') return exportJson(doc);
  if (to === 'csv') return exportCsv(doc, { at, delimiter: opts.str('delimiter') === ';' ? ';' : ',', spreadsheetSafe: !opts.flag('raw') });
  const cycle = opts.str('cycle');
  return exportMarkdown(doc, { at, includePrivate: !!opts.flag('include-private'), ...(cycle ? { cycles: cycle === 'all' ? 'all' : [cycle] } : {}) });
}

function targetOption(value: string | undefined, required: boolean): Target | undefined {
  if (value === undefined) {
    if (required) throw new UsageError('candor convert: --to is required: json, csv or md');
    return undefined;
  }
  const v = value.toLowerCase() === 'markdown' ? 'md' : value.toLowerCase();
  if (v !== 'json' && v !== 'csv' && v !== 'md') throw new UsageError(`--to: expected json, csv or md, got "${value}"`);
  return v;
}

async function emit(text: string, output: string | undefined, io: CliIo): Promise<void> {
  if (!output || output === '-') return io.stdout(text);
  try {
    await io.writeFile(output, text);
  } catch (e) {
    throw new InputError(`cannot write ${output}: ${(e as Error).message}`);
  }
}

async function convert(args: string[], io: CliIo): Promise<number> {
  const opts = parse('convert', args, {
    to: { type: 'string' },
    at: { type: 'string' },
    cycle: { type: 'string' },
    'include-private': { type: 'boolean' },
    delimiter: { type: 'string' },
    raw: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
  });
  if (opts.help) return help('convert', io);
  const file = oneFile('convert', opts.positionals);
  const to = targetOption(opts.str('to'), true)!;
  if (opts.str('delimiter') !== undefined && opts.str('delimiter') !== ',' && opts.str('delimiter') !== ';') throw new UsageError(`--delimiter: expected , or ;, got "${opts.str('delimiter')}"`);
  const at = atOption(opts.str('at'), io);
  const { document, warnings } = await load(file, io);
  if (opts.str('cycle') && opts.str('cycle') !== 'all' && !document.cycles.some((c) => c.id === opts.str('cycle'))) {
    throw new UsageError(`--cycle: no cycle "${opts.str('cycle')}" (cycles: ${document.cycles.map((c) => c.id).join(', ') || 'none'})`);
  }
  await emit(render(document, to, opts, at), opts.str('output'), io);
  printWarnings(warnings, io);
  return EXIT.ok;
}

async function sample(args: string[], io: CliIo): Promise<number> {
  const opts = parse('sample', args, {
    people: { type: 'string' },
    seed: { type: 'string' },
    at: { type: 'string' },
    'objectives-per-person': { type: 'string' },
    'key-results': { type: 'string' },
    weeks: { type: 'string' },
    to: { type: 'string' },
    output: { type: 'string', short: 'o' },
  });
  if (opts.help) return help('sample', io);
  if (opts.positionals.length) throw new UsageError(`candor sample: unexpected argument "${opts.positionals[0]}"`);
  const to = targetOption(opts.str('to'), false) ?? 'json';
  const rawAt = opts.str('at');
  // A day is kept as a day (the generator puts "now" at noon UTC on it); an instant is checked and normalised.
  const at = rawAt === undefined ? undefined : /^\d{4}-\d{2}-\d{2}$/.test(rawAt) && Number.isFinite(Date.parse(rawAt)) ? rawAt : atOption(rawAt, io);
  const options = {
    people: intOption('people', opts.str('people'), 1, 100_000),
    seed: intOption('seed', opts.str('seed'), -2_147_483_648, 4_294_967_295),
    objectivesPerPerson: intOption('objectives-per-person', opts.str('objectives-per-person'), 0, 20),
    keyResultsPerObjective: intOption('key-results', opts.str('key-results'), 1, 20),
    weeks: intOption('weeks', opts.str('weeks'), 0, 53),
    at,
  };
  const doc = generateSampleOrganisation(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)));
  await emit(render(doc, to, { str: () => undefined, flag: () => false }, doc.generatedAt), opts.str('output'), io);
  return EXIT.ok;
}

function help(topic: string, io: CliIo): number {
  io.stdout(HELP[topic] ?? HELP.main!);
  return EXIT.ok;
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = { validate, score, convert, sample };

/** Runs `candor` with `argv` (without node and the script); resolves to the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      if (command === 'help' && rest[0]) return help(rest[0], io);
      io[command === undefined ? 'stderr' : 'stdout'](HELP.main!);
      return command === undefined ? EXIT.usage : EXIT.ok;
    }
    if (command === '--version' || command === '-v') {
      io.stdout('candor 0.1.0 (Candor document version 1)\n');
      return EXIT.ok;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command "${command}"; expected validate, score, convert or sample (see candor --help)`);
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${e.message}\n`);
      io.stderr(`Run candor ${command && COMMANDS[command] ? `${command} ` : ''}--help for usage.\n`);
      return EXIT.usage;
    }
    if (e instanceof InputError) {
      const shown = e.issues.slice(0, 50);
      io.stderr(`${e.message}${e.issues.length ? ` (${e.issues.length} problem${e.issues.length === 1 ? '' : 's'}):` : ''}\n`);
      for (const i of shown) io.stderr(`  ${line(i)}\n`);
      if (e.issues.length > shown.length) io.stderr(`  … and ${e.issues.length - shown.length} more\n`);
      return EXIT.invalid;
    }
    io.stderr(`candor: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.invalid;
  }
}

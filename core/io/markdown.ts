import type { CandorDocument, Cycle, KeyResult, Objective } from '../model/index.ts';
import { scoreDocument, currentCycle, cycleElapsed, type DocumentScores, type KeyResultVerdict, type Status } from '../scoring/index.ts';

export interface MarkdownOptions {
  /** The moment the scores are for. Default now. */
  at?: string | Date;
  /** Scores already computed for this document at `at`. */
  scores?: DocumentScores;
  /** Which cycles: ids, or 'all'. Default: the cycle running at `at`, else every cycle. */
  cycles?: readonly string[] | 'all';
  /** Include private objectives (they are left out by default: a summary is meant to be shared). Default false. */
  includePrivate?: boolean;
}

const STATUS_TEXT: Record<Status, string> = {
  'on-track': 'on track',
  'at-risk': 'at risk',
  'off-track': 'off track',
  stale: 'no recent check-in',
  done: 'done',
};

/** A status in words, for people: `on-track` → "on track", `stale` → "no recent check-in". */
export function statusText(status: Status): string {
  return STATUS_TEXT[status];
}

/**
 * Escapes text a person wrote so it reads literally wherever it lands in a Markdown line: inline markers
 * (`\\ \` * _ ~ [ ] < > |`), entity-looking `&…;`, a `#` that could close a heading, and markers that would
 * start a block (`#`, `>`, `-`, `+`, `1.`) at the start. Line breaks become spaces so one field stays on one line.
 * Ordinary punctuation (`-` inside words, `&`, `.`) is left alone so the text stays pleasant to read as plain text.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_~[\]<>|]/g, (c) => `\\${c}`)
    .replace(/&(?=#?[a-z0-9]+;)/gi, '\\&')
    .replace(/(^|\s)#/g, '$1\\#')
    .replace(/^(\s*)([-+>=])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

const tenths = (x: number) => (Math.round(x * 10) / 10).toFixed(1);

const NUMBER_FORMATS = [0, 1, 2].map((digits) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));

/** Grouped thousands; up to two decimals below 1,000 (99.95% must not read as 100%): 1,250 · 12.5 · 99.95. */
function formatNumber(n: number): string {
  return NUMBER_FORMATS[Number.isInteger(n) || Math.abs(n) >= 1000 ? 0 : 2]!.format(n);
}

function withUnit(n: number, metric: { unit?: string | undefined; format?: string | undefined; currency?: string | undefined }): string {
  if (metric.format === 'percent') return `${formatNumber(n)}%`;
  if (metric.format === 'currency' && metric.currency) return `${formatNumber(n)} ${metric.currency}`;
  if (metric.unit === '%') return `${formatNumber(n)}%`;
  return metric.unit ? `${formatNumber(n)}${/^[/%]/.test(metric.unit) ? '' : ' '}${escapeMarkdown(metric.unit)}` : formatNumber(n);
}

/** "340 / 500 teams", "3 of 5 milestones", "done", "99.95% (keep ≥ 99.9%)". */
function measure(k: KeyResult, v: KeyResultVerdict | undefined): string {
  const m = k.metric;
  switch (m.kind) {
    case 'increase':
    case 'decrease':
      return `${withUnit(v?.current ?? m.start, { ...m, unit: m.format ? undefined : m.unit })} / ${withUnit(m.target, m)}`;
    case 'maintain-above':
    case 'maintain-below': {
      const rule = `${m.kind === 'maintain-above' ? 'keep ≥' : 'keep ≤'} ${withUnit(m.threshold, m)}`;
      return v?.current === undefined ? `no value yet (${rule})` : `${withUnit(v.current, m)} (${rule})`;
    }
    case 'milestones':
      return `${v?.current ?? 0} of ${m.items.length} milestones`;
    case 'boolean':
      return v?.current === 1 ? 'done' : 'not done yet';
  }
}

function ownerHeading(doc: CandorDocument, o: Objective, names: { people: Map<string, string>; teams: Map<string, string> }): string {
  if (o.owner.kind === 'company') return 'Company';
  if (o.owner.kind === 'team') return `${escapeMarkdown(names.teams.get(o.owner.id) ?? o.owner.id)} (team)`;
  return escapeMarkdown(names.people.get(o.owner.id) ?? o.owner.id);
}

/**
 * A Markdown summary fit to paste in a chat or an email: per cycle and owner (company, teams, people),
 * each objective with its score and status in words, and one line per key result with its current value
 * against the target. User text is escaped; no emoji, no HTML.
 */
export function exportMarkdown(doc: CandorDocument, options: MarkdownOptions = {}): string {
  const at = options.at ?? new Date();
  const scores = options.scores ?? scoreDocument(doc, { at });
  const atIso = typeof at === 'string' ? at : at.toISOString();
  let cycles: Cycle[];
  if (options.cycles === 'all') cycles = [...doc.cycles];
  else if (options.cycles) cycles = doc.cycles.filter((c) => options.cycles!.includes(c.id));
  else {
    const now = currentCycle(doc, at);
    cycles = now ? [now] : [...doc.cycles];
  }
  const names = { people: new Map(doc.people.map((p) => [p.id, p.name])), teams: new Map(doc.teams.map((t) => [t.id, t.name])) };
  const krsOf = new Map<string, KeyResult[]>();
  for (const k of doc.keyResults) {
    const list = krsOf.get(k.objectiveId);
    if (list) list.push(k);
    else krsOf.set(k.objectiveId, [k]);
  }
  const byId = new Map(doc.objectives.map((o) => [o.id, o]));
  const ownerRank = (o: Objective) => (o.owner.kind === 'company' ? 0 : o.owner.kind === 'team' ? 1 : 2);
  const teamOrder = new Map(doc.teams.map((t, i) => [t.id, i]));
  const personOrder = new Map(doc.people.map((p, i) => [p.id, i]));
  const orderWithin = (o: Objective) => (o.owner.kind === 'team' ? (teamOrder.get(o.owner.id) ?? 1e9) : o.owner.kind === 'person' ? (personOrder.get(o.owner.id) ?? 1e9) : 0);

  const out: string[] = [];
  for (const cycle of cycles) {
    const objectives = doc.objectives
      .filter((o) => o.cycleId === cycle.id && (options.includePrivate || o.visibility !== 'private'))
      .map((o, i) => ({ o, i }))
      .sort((a, b) => ownerRank(a.o) - ownerRank(b.o) || orderWithin(a.o) - orderWithin(b.o) || (a.o.owner.id < b.o.owner.id ? -1 : a.o.owner.id > b.o.owner.id ? 1 : 0) || (a.o.order ?? 0) - (b.o.order ?? 0) || a.i - b.i)
      .map((x) => x.o);
    const elapsed = cycleElapsed(cycle, at);
    out.push(`# OKRs: ${escapeMarkdown(cycle.name)}`, '');
    const when = elapsed.ended ? `ended ${cycle.end}` : `${Math.round(elapsed.share * 100)}% of the cycle elapsed, ${elapsed.daysLeft} day${elapsed.daysLeft === 1 ? '' : 's'} left`;
    const verdicts = objectives.map((o) => scores.objectives.get(o.id)).filter((v) => v !== undefined);
    const counts = (['on-track', 'at-risk', 'off-track', 'stale', 'done'] as const)
      .map((s) => [s, verdicts.filter((v) => v.status === s).length] as const)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${statusText(s)}`);
    out.push(`${cycle.start} to ${cycle.end} · ${when} · as of ${atIso.slice(0, 10)}`, '');
    if (!objectives.length) {
      out.push('No objectives in this cycle.', '');
      continue;
    }
    out.push(`${objectives.length} objective${objectives.length === 1 ? '' : 's'}: ${counts.join(', ') || 'not scored'}.`, '');
    let heading = '';
    for (const o of objectives) {
      const h = ownerHeading(doc, o, names);
      if (h !== heading) {
        out.push(`## ${h}`, '');
        heading = h;
      }
      const v = scores.objectives.get(o.id);
      const state = o.state === 'active' ? '' : ` (${o.state})`;
      const score = v ? ` — ${tenths(v.score)}, ${statusText(v.status)}` : '';
      out.push(`### ${escapeMarkdown(o.title)}${state}${score}`, '');
      const facts: string[] = [o.type === 'aspirational' ? 'Aspirational (0.7 is a success)' : 'Committed'];
      const parent = o.parentId ? byId.get(o.parentId) : undefined;
      if (parent) facts.push(`supports: ${escapeMarkdown(parent.title)}`);
      if (v?.forecast) facts.push(`forecast ${tenths(v.forecast.score)}`);
      out.push(facts.join(' · '), '');
      const krs = [...(krsOf.get(o.id) ?? [])].sort((a, b) => a.order - b.order);
      for (const k of krs) {
        const kv = scores.keyResults.get(k.id);
        const tail = kv ? ` — ${tenths(kv.score)}, ${statusText(kv.status)}${kv.confidence !== undefined ? `, confidence ${Math.round(kv.confidence * 10)}/10` : ''}` : '';
        out.push(`- ${escapeMarkdown(k.title)}: ${measure(k, kv)}${tail}`);
      }
      if (!krs.length) out.push('- No key results yet.');
      out.push('');
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd() + '\n';
}

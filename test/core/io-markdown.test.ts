import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument, type CandorDocument } from '../../core/model/index.ts';
import { exportMarkdown, escapeMarkdown, statusText } from '../../core/io/index.ts';

const AT = '2026-05-20T12:00:00Z';
const fixture = (): CandorDocument => {
  const r = parseDocument(JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/sample-small.json', import.meta.url)), 'utf8')));
  if (!r.ok) throw r.error;
  return r.value;
};

/** A tiny organisation whose numbers are easy to check by hand. */
function tiny(): CandorDocument {
  const r = parseDocument({
    format: 'candor',
    version: 1,
    people: [{ id: 'ana', name: 'Ana *Bold* Okafor', teamIds: ['web'] }],
    teams: [{ id: 'web', name: 'Web <App>' }],
    cycles: [
      { id: '2026-q1', name: 'Q1 2026', start: '2026-01-01', end: '2026-03-31' },
      { id: '2026-q2', name: 'Q2 2026', start: '2026-04-01', end: '2026-06-30' },
    ],
    objectives: [
      { id: 'c1', cycleId: '2026-q2', title: 'Grow [revenue](http://evil.example)', owner: { kind: 'company', id: 'acme' }, createdAt: AT, updatedAt: AT },
      { id: 't1', cycleId: '2026-q2', title: '# Ship _fast_', owner: { kind: 'team', id: 'web' }, parentId: 'c1', type: 'aspirational', createdAt: AT, updatedAt: AT },
      { id: 'p1', cycleId: '2026-q2', title: 'Secret plan', owner: { kind: 'person', id: 'ana' }, visibility: 'private', createdAt: AT, updatedAt: AT },
      { id: 'old', cycleId: '2026-q1', title: 'Last quarter', owner: { kind: 'company', id: 'acme' }, state: 'closed', createdAt: AT, updatedAt: AT },
    ],
    keyResults: [
      { id: 'k1', objectiveId: 'c1', title: 'MRR', metric: { kind: 'increase', start: 100000, target: 200000, format: 'currency', currency: 'EUR' } },
      { id: 'k2', objectiveId: 'c1', title: 'Launch', metric: { kind: 'milestones', items: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }, { id: 'c', title: 'C' }, { id: 'd', title: 'D' }] } },
      { id: 'k3', objectiveId: 't1', title: 'Uptime', metric: { kind: 'maintain-above', threshold: 99.9, unit: '%' } },
      { id: 'k4', objectiveId: 't1', title: 'SOC 2', metric: { kind: 'boolean' } },
    ],
    checkIns: [
      { id: 'x1', keyResultId: 'k1', authorId: 'ana', at: '2026-05-18T09:00:00Z', value: 150000, confidence: 0.8 },
      { id: 'x2', keyResultId: 'k2', authorId: 'ana', at: '2026-05-18T09:00:00Z', milestonesDone: ['a', 'b'], confidence: 0.6 },
      { id: 'x3', keyResultId: 'k3', authorId: 'ana', at: '2026-05-18T09:00:00Z', value: 99.95, confidence: 0.9 },
      { id: 'x4', keyResultId: 'k4', authorId: 'ana', at: '2026-05-18T09:00:00Z', done: true, confidence: 1 },
    ],
  });
  if (!r.ok) throw r.error;
  return r.value;
}

describe('exportMarkdown', () => {
  it('summarises the current cycle by owner with scores, statuses in words and KR lines', () => {
    const md = exportMarkdown(tiny(), { at: AT });
    expect(md).toMatch(/^# OKRs: Q2 2026\n\n2026-04-01 to 2026-06-30 · 54% of the cycle elapsed, 42 days left · as of 2026-05-20\n/);
    expect(md).not.toContain('Last quarter');
    expect(md).toContain('## Company\n');
    expect(md).toContain('## Web \\<App\\> (team)\n');
    expect(md).toMatch(/### Grow \\\[revenue\\\]\(http:\/\/evil\.example\) — 0\.5, (on track|at risk|off track)\n/);
    expect(md).toContain('- MRR: 150,000 EUR / 200,000 EUR — 0.5');
    expect(md).toContain('- Launch: 2 of 4 milestones — 0.5');
    expect(md).toContain('- Uptime: 99.95% (keep ≥ 99.9%) — 1.0, on track, confidence 9/10');
    expect(md).toContain('- SOC 2: done — 1.0, done, confidence 10/10');
    expect(md).toContain('### \\# Ship \\_fast\\_');
    expect(md).toContain('Aspirational (0.7 is a success) · supports: Grow \\[revenue\\](http://evil.example)');
  });

  it('leaves private objectives out unless asked, and can cover every cycle', () => {
    expect(exportMarkdown(tiny(), { at: AT })).not.toContain('Secret plan');
    const all = exportMarkdown(tiny(), { at: AT, includePrivate: true, cycles: 'all' });
    expect(all).toContain('Secret plan');
    expect(all).toContain('## Ana \\*Bold\\* Okafor\n');
    expect(all).toContain('# OKRs: Q1 2026');
    expect(all).toContain('### Last quarter (closed)');
    expect(all.indexOf('# OKRs: Q1 2026')).toBeLessThan(all.indexOf('# OKRs: Q2 2026'));
  });

  it('writes plain text a chat or an email shows as is: no HTML, no emoji', () => {
    const md = exportMarkdown(fixture(), { at: AT });
    expect(md).not.toMatch(/<[a-z]/i);
    expect(md).not.toMatch(/\p{Extended_Pictographic}/u);
    expect(md.split('\n').filter((l) => l.startsWith('### '))).toHaveLength(fixture().objectives.filter((o) => o.cycleId === '2026-q2' && o.visibility !== 'private').length);
    expect(md.endsWith('\n')).toBe(true);
  });
});

describe('escapeMarkdown', () => {
  it('neutralises inline markup, links, HTML and block starts but keeps ordinary punctuation', () => {
    expect(escapeMarkdown('*a* _b_ `c` ~d~ [e](f) <g> h|i')).toBe('\\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\[e\\](f) \\<g\\> h\\|i');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('+ item')).toBe('\\+ item');
    expect(escapeMarkdown('1. first')).toBe('1\\. first');
    expect(escapeMarkdown('#tag and C#')).toBe('\\#tag and C#');
    expect(escapeMarkdown('R&D &amp; more')).toBe('R&D \\&amp; more');
    expect(escapeMarkdown('two\nlines')).toBe('two lines');
    expect(escapeMarkdown('trial-to-paid, 3.5% (est.)')).toBe('trial-to-paid, 3.5% (est.)');
  });

  it('words for statuses', () => {
    expect(['on-track', 'at-risk', 'off-track', 'stale', 'done'].map((s) => statusText(s as never))).toEqual(['on track', 'at risk', 'off track', 'no recent check-in', 'done']);
  });
});

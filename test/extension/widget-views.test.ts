// What the options page's widgets are given: the objective card's preview document while editing, the
// alignment view's cycle, the widgets' theme — and that the document the alignment tree reads follows
// every saved change.
import { describe, it, expect, beforeEach } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { emptyDocument, presetCycle, type CandorDocument, type Objective } from '../../core/model/index.ts';
import { alignmentPath, orgTree, scoreDocument, type OrgNode } from '../../core/scoring/index.ts';
import { createAppState } from '../../extension/state/app-state.ts';
import { openBackend } from '../../extension/state/workspace-backend.ts';
import { previewDocument, alignmentCycle, cyclesNewestFirst } from '../../extension/state/preview.ts';
import { defaultSettings, widgetTheme } from '../../extension/lib/settings.ts';
import { memoryPersistence, day, settle } from './helpers.ts';

const NOW = day('2026-08-12');
const AT = '2026-07-01T09:00:00Z';

function objective(id: string, patch: Partial<Objective> = {}): Objective {
  return { id, cycleId: '2026-q3', title: id, owner: { kind: 'person', id: 'ana' }, type: 'committed', visibility: 'public', state: 'active', rollup: 'key-results', createdAt: AT, updatedAt: AT, ...patch };
}

function seed(): CandorDocument {
  const doc = emptyDocument(NOW.toISOString());
  doc.teams.push({ id: 'web', name: 'Web', leadIds: [] });
  doc.people.push({ id: 'ana', name: 'Ana', teamIds: ['web'] });
  doc.cycles.push(presetCycle('quarter', '2026-05-12'), presetCycle('quarter', '2026-08-12'));
  doc.objectives.push(objective('co', { title: 'Customers love us', owner: { kind: 'company', id: 'acme' }, rollup: 'children' }), objective('o1', { title: 'Faster onboarding', parentId: 'co' }));
  doc.keyResults.push({ id: 'k1', objectiveId: 'o1', title: 'Signups', weight: 1, order: 0, metric: { kind: 'increase', start: 0, target: 100 } });
  doc.checkIns.push({ id: 'c1', keyResultId: 'k1', authorId: 'ana', at: '2026-08-10T10:00:00Z', value: 50, confidence: 0.7 });
  return doc;
}

const names = (node: OrgNode): string[] => [node.name, ...node.children.flatMap(names)];

describe('the objective card preview', () => {
  it('shows the draft in place of the stored objective, keeping its key results, check-ins and alignment', () => {
    const doc = seed();
    const draft = { ...doc.objectives[1]!, title: 'Onboarding in one afternoon', type: 'aspirational' as const };
    const preview = previewDocument(doc, draft, 'Untitled');
    expect(preview.objectives.map((o) => o.title)).toEqual(['Customers love us', 'Onboarding in one afternoon']);
    expect(preview.objectives[1]!.type).toBe('aspirational');
    expect(scoreDocument(preview, { at: NOW }).objectives.get('o1')!.score).toBeCloseTo(scoreDocument(doc, { at: NOW }).objectives.get('o1')!.score);
    expect(alignmentPath(preview, 'o1').map((o) => o.id)).toEqual(['co']);
    // The stored document is untouched.
    expect(doc.objectives[1]!.title).toBe('Faster onboarding');
  });

  it('adds a new objective, names an empty title and drops a blank description and parent', () => {
    const doc = seed();
    const preview = previewDocument(doc, objective('new', { title: '   ', description: '  ', parentId: '' }), 'Untitled objective');
    const shown = preview.objectives.find((o) => o.id === 'new')!;
    expect(preview.objectives).toHaveLength(3);
    expect(shown.title).toBe('Untitled objective');
    expect('description' in shown).toBe(false);
    expect('parentId' in shown).toBe(false);
    expect(alignmentPath(preview, 'new')).toEqual([]);
  });

  it('follows a new parent at once, and returns the document itself while nothing differs', () => {
    const doc = seed();
    expect(previewDocument(doc, { ...doc.objectives[1]! }, 'Untitled')).toBe(doc);
    const moved = previewDocument(doc, { ...doc.objectives[1]!, parentId: undefined }, 'Untitled');
    expect(moved).not.toBe(doc);
    expect(alignmentPath(moved, 'o1')).toEqual([]);
  });
});

describe('the alignment view', () => {
  beforeEach(() => fakeBrowser.reset());

  it('shows the current cycle unless another is chosen, and falls back when the chosen one is gone', () => {
    const doc = seed();
    expect(alignmentCycle(doc, NOW, undefined)?.id).toBe('2026-q3');
    expect(alignmentCycle(doc, NOW, '2026-q2')?.id).toBe('2026-q2');
    expect(alignmentCycle(doc, NOW, 'deleted')?.id).toBe('2026-q3');
    expect(cyclesNewestFirst(doc).map((c) => c.id)).toEqual(['2026-q3', '2026-q2']);
    expect(alignmentCycle(emptyDocument(AT), NOW, undefined)).toBeUndefined();
  });

  it('the document signal the tree reads follows saved objectives, renamed or moved to another cycle', async () => {
    const backend = await openBackend({ me: 'ana', persistence: memoryPersistence(seed()) });
    const state = createAppState({ backend, settings: { ...defaultSettings(), me: 'ana' }, now: () => NOW });
    const tree = () => orgTree(state.document.value, state.scores.value, alignmentCycle(state.document.value, NOW, undefined)?.id);
    expect(names(tree())).toContain('Faster onboarding');

    await state.actions.saveObjective(objective('o2', { title: 'Ship the web redesign', owner: { kind: 'team', id: 'web' } }));
    await settle();
    const web = tree().children.find((n) => n.id === 'web')!;
    expect(web.children.map((n) => n.name)).toContain('Ship the web redesign');

    await state.actions.saveObjective({ ...state.document.value.objectives.find((o) => o.id === 'o1')!, title: 'Onboarding in an afternoon' });
    await settle();
    expect(names(tree())).toContain('Onboarding in an afternoon');
    expect(names(tree())).not.toContain('Faster onboarding');

    await state.actions.saveObjective({ ...state.document.value.objectives.find((o) => o.id === 'o2')!, cycleId: '2026-q2' });
    await settle();
    expect(names(tree())).not.toContain('Ship the web redesign');
    state.dispose();
  });
});

describe('widget theme', () => {
  it('pins light and dark and leaves system to prefers-color-scheme', () => {
    expect(widgetTheme('light')).toBe('light');
    expect(widgetTheme('dark')).toBe('dark');
    expect(widgetTheme('system')).toBeUndefined();
  });
});

import { describe, it, expect, afterEach } from 'vitest';
import axe from 'axe-core';
import { sample, settled } from './helpers.ts';
import { CANDOR_ELEMENTS } from '../../widgets/define.ts';

afterEach(() => document.body.replaceChildren());

const tags = Object.keys(CANDOR_ELEMENTS) as (keyof typeof CANDOR_ELEMENTS)[];

describe.each(['light', 'dark'] as const)('axe-core, %s theme', (theme) => {
  it.each(tags)('%s has no violations', async (tag) => {
    const doc = sample();
    document.body.style.background = theme === 'dark' ? '#0d1117' : '#ffffff';
    const main = document.createElement('main');
    const el = document.createElement(tag);
    el.document = doc;
    el.theme = theme;
    if (tag === 'candor-objective') el.objectiveId = 'obj-4';
    else if (tag === 'candor-team-board') (el.teamId = 'team-platform'), el.setAttribute('cycle-id', '2026-q2');
    else if (tag === 'candor-checkin-form') (el.keyResultId = 'kr-1'), (el.personId = 'ana-moreau');
    else if (tag === 'candor-checkin-feed') el.setAttribute('limit', '15');
    else if (tag === 'candor-alignment-tree') el.setAttribute('expand-depth', '3');
    else el.keyResultId = 'kr-1';
    main.append(el);
    document.body.append(main);
    await settled();
    const result = await axe.run(main, { resultTypes: ['violations'] });
    const summary = result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + n.failureSummary).join(' | ')}`);
    expect(summary).toEqual([]);
  });
});

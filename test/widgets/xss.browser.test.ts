import { describe, it, expect, afterEach } from 'vitest';
import { sample, settled, shadowRoots, deepText } from './helpers.ts';
import { CANDOR_ELEMENTS } from '../../widgets/define.ts';
import type { CandorDocument } from '../../core/model/index.ts';

declare global {
  interface Window {
    __xss?: number;
  }
}

// Payloads that run script if any widget ever parsed user text as HTML or followed a javascript: URL.
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '"><svg onload=window.__xss=3>',
  "'><iframe srcdoc=\"<script>parent.__xss=4</script>\">",
  'javascript:window.__xss=5',
  '<a href="javascript:window.__xss=6">click</a>',
  '{{constructor.constructor("window.__xss=7")()}}',
  '${window.__xss=8}',
  '<style>*{display:none}</style><b onmouseover=window.__xss=9>hover</b>',
  '<math><mi xlink:href="javascript:window.__xss=10">x</mi></math>',
];
const SHORT = '<img src=x onerror=a()>'; // fits 24-character units

/** The sample document with a payload in every text field people write. */
function poisoned(payload: string): CandorDocument {
  const doc = sample();
  doc.people.forEach((p) => (p.name = `${payload} ${p.name}`));
  doc.teams.forEach((t) => (t.name = `${payload} ${t.name}`));
  doc.cycles.forEach((c) => (c.name = payload.slice(0, 120)));
  doc.objectives.forEach((o) => {
    o.title = `${payload} ${o.title}`;
    o.description = `${payload} https://ok.example/x javascript:window.__xss=11 ${payload}`;
  });
  doc.keyResults.forEach((k) => {
    k.title = `${payload} ${k.title}`;
    const m = k.metric as { unit?: string; items?: { title: string }[] };
    if ('unit' in m || k.metric.kind === 'increase') m.unit = SHORT;
    m.items?.forEach((i) => (i.title = payload));
  });
  doc.checkIns.forEach((c) => {
    c.note = payload;
    c.blockers = payload;
  });
  doc.comments.forEach((c) => (c.text = payload));
  doc.kudos.forEach((k) => (k.message = payload));
  // Put some comments and kudos on check-ins so the feed shows them.
  doc.checkIns.slice(-5).forEach((c, i) => {
    doc.comments.push({ id: `xc${i}`, target: { kind: 'checkIn', id: c.id }, authorId: c.authorId, at: c.at, text: payload });
    doc.kudos.push({ id: `xk${i}`, target: { kind: 'checkIn', id: c.id }, fromId: c.authorId, toIds: [c.authorId], at: c.at, message: payload });
  });
  return doc;
}

afterEach(() => document.body.replaceChildren());

describe('user text is never HTML', () => {
  it.each(PAYLOADS)('renders %s as text in every widget', async (payload) => {
    window.__xss = undefined;
    const doc = poisoned(payload);
    const kr = doc.keyResults[0]!;
    const objective = doc.objectives.find((o) => o.parentId) ?? doc.objectives[0]!;
    for (const tag of Object.keys(CANDOR_ELEMENTS) as (keyof typeof CANDOR_ELEMENTS)[]) {
      const el = document.createElement(tag);
      el.document = doc;
      if (tag === 'candor-objective') el.objectiveId = objective.id;
      else if (tag === 'candor-team-board') el.teamId = 'team-platform';
      else if (tag === 'candor-checkin-form') (el.keyResultId = kr.id), (el.personId = 'ana-moreau');
      else if (tag === 'candor-alignment-tree') el.setAttribute('expand-depth', '9');
      else if (tag !== 'candor-checkin-feed') el.keyResultId = kr.id;
      document.body.append(el);
    }
    await settled();
    await new Promise((r) => setTimeout(r, 50));
    // Hover and click everything once: inline handlers would fire now.
    for (const root of shadowRoots(document)) {
      for (const n of root.querySelectorAll('*')) n.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    }
    expect(window.__xss).toBeUndefined();
    const roots = shadowRoots(document);
    expect(roots.length).toBeGreaterThan(20);
    for (const root of roots) {
      expect(root.querySelectorAll('img, script, iframe, object, embed, math, style:not([data-lit])').length).toBe(0);
      for (const el of root.querySelectorAll('*')) {
        for (const attr of el.getAttributeNames()) expect(attr.startsWith('on'), `${el.tagName} ${attr}`).toBe(false);
      }
      for (const a of root.querySelectorAll('a')) expect(a.getAttribute('href')).toMatch(/^(https?:|mailto:)/);
    }
    // The payload is visible as written.
    expect(deepText(document.body)).toContain(payload.replace(/\s+/g, ' ').trim().slice(0, 12));
  });
});

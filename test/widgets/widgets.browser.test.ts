import { describe, it, expect, afterEach, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { sample, mount, settled, next, text, deepText } from './helpers.ts';
import { CANDOR_ELEMENTS } from '../../widgets/define.ts';
import { defineElement, CandorProgress, WIDGETS_VERSION } from '../../widgets/index.ts';
import { scoreDocument } from '../../core/scoring/index.ts';

afterEach(() => {
  document.body.replaceChildren();
  document.documentElement.removeAttribute('style');
});

describe('registration', () => {
  it('defines every candor-* tag', () => {
    for (const tag of Object.keys(CANDOR_ELEMENTS)) expect(customElements.get(tag), tag).toBeDefined();
    expect(Object.keys(CANDOR_ELEMENTS)).toHaveLength(8);
  });

  it('never throws on a second copy: same version is silent, another version warns once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    class SameVersion extends CandorProgress {}
    expect(() => defineElement('candor-progress', SameVersion)).not.toThrow();
    expect(warn).not.toHaveBeenCalled();
    class OtherVersion extends CandorProgress {
      static override version = '9.9.9';
    }
    class OtherVersion2 extends CandorProgress {
      static override version = '9.9.9';
    }
    expect(() => defineElement('candor-progress', OtherVersion)).not.toThrow();
    expect(() => defineElement('candor-sparkline', OtherVersion2)).not.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain(WIDGETS_VERSION);
    expect(customElements.get('candor-progress')).toBe(CANDOR_ELEMENTS['candor-progress']);
    warn.mockRestore();
  });
});

describe('properties and attributes', () => {
  it('reflects the shared selection, locale and theme properties to attributes on every widget, and back', async () => {
    for (const tag of Object.keys(CANDOR_ELEMENTS) as (keyof typeof CANDOR_ELEMENTS)[]) {
      const el = await mount(tag);
      el.objectiveId = 'o1';
      el.keyResultId = 'k1';
      el.teamId = 't1';
      el.personId = 'p1';
      el.locale = 'fr-FR';
      el.theme = 'dark';
      el.refresh = 30;
      el.live = true;
      await el.updateComplete;
      expect(
        ['objective-id', 'key-result-id', 'team-id', 'person-id', 'locale', 'theme', 'refresh'].map((a) => el.getAttribute(a)),
        tag,
      ).toEqual(['o1', 'k1', 't1', 'p1', 'fr-FR', 'dark', '30']);
      expect(el.hasAttribute('live')).toBe(true);
      el.setAttribute('team-id', 't2');
      el.setAttribute('refresh', '5');
      el.removeAttribute('live');
      expect([el.teamId, el.refresh, el.live]).toEqual(['t2', 5, false]);
      el.remove();
    }
  });
});

describe('candor-progress', () => {
  it('reflects value between property and attribute and exposes a labelled progressbar', async () => {
    const el = await mount('candor-progress', {}, { value: '0.42', label: 'Revenue' });
    expect(el.value).toBe(0.42);
    const bar = el.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('42');
    expect(bar.getAttribute('aria-label')).toBe('Revenue');
    el.value = 0.8;
    el.status = 'at-risk';
    await el.updateComplete;
    expect(el.getAttribute('value')).toBe('0.8');
    expect(el.getAttribute('status')).toBe('at-risk');
    expect(bar.getAttribute('aria-valuenow')).toBe('80');
    expect(bar.getAttribute('aria-valuetext')).toContain('at risk');
  });

  it('shows an expected marker, an exceeded state and a ring variant', async () => {
    const el = await mount('candor-progress', { value: 1.3, expected: 0.5 });
    const bar = el.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toMatch(/130%.*exceeded.*50%/);
    expect(el.shadowRoot!.querySelector('[part=expected]')).not.toBeNull();
    expect(el.shadowRoot!.querySelector('.exceeded')).not.toBeNull();
    el.variant = 'ring';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('svg.ring')).not.toBeNull();
  });

  it('reads a key result verdict from a document', async () => {
    const doc = sample();
    const el = await mount('candor-progress', { document: doc }, { 'key-result-id': 'kr-1' });
    const bar = el.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(bar.getAttribute('aria-label')).toBe(doc.keyResults.find((k) => k.id === 'kr-1')!.title);
    expect(Number(bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  });
});

describe('candor-sparkline', () => {
  it('draws a series and names it for screen readers', async () => {
    const el = await mount('candor-sparkline', { values: [1, 3, 2, 5], label: 'Signups' });
    const line = el.shadowRoot!.querySelector('polyline')!;
    expect(line.getAttribute('points')!.split(' ')).toHaveLength(4);
    expect(el.shadowRoot!.querySelector('svg')!.getAttribute('aria-label')).toBe('Signups: 1, 3, 2, 5');
  });

  it('draws a key result history from the document', async () => {
    const doc = sample();
    const history = scoreDocument(doc).keyResults.get('kr-1')!.history;
    expect(history.length).toBeGreaterThan(2);
    const el = await mount('candor-sparkline', { document: doc }, { 'key-result-id': 'kr-1' });
    expect(el.shadowRoot!.querySelector('polyline')!.getAttribute('points')!.split(' ').length).toBe(history.length);
  });
});

describe('candor-key-result and candor-objective', () => {
  it('shows a key result with its standing, confidence and last check-in, and emits candor-select', async () => {
    const doc = sample();
    const kr = doc.keyResults.find((k) => k.id === 'kr-1')!;
    const el = await mount('candor-key-result', { document: doc }, { 'key-result-id': 'kr-1' });
    const t = deepText(el);
    expect(t).toContain(kr.title);
    expect(t).toMatch(/Confidence \d/);
    expect(t).toMatch(/Checked in/);
    expect(t).toContain('target');
    const seen = next(document, 'candor-select');
    (el.shadowRoot!.querySelector('[part=title]') as HTMLElement).click();
    const e = await seen;
    expect(e.detail).toEqual({ kind: 'keyResult', id: 'kr-1' });
    expect(e.bubbles && e.composed).toBe(true);
  });

  it('formats currency and units in the locale', async () => {
    const doc = sample();
    const kr = doc.keyResults.find((k) => k.id === 'kr-1')!;
    kr.metric = { kind: 'increase', start: 1000, target: 2500.5, format: 'currency', currency: 'EUR' };
    doc.checkIns = doc.checkIns.filter((c) => c.keyResultId !== 'kr-1');
    const el = await mount('candor-key-result', { document: doc }, { 'key-result-id': 'kr-1', locale: 'de-DE' });
    const t = deepText(el).replace(/\u00a0/g, ' ');
    expect(t).toContain('1.000,00 €');
    expect(t).toContain('2.500,50 €');
    expect(t).toContain('No check-ins yet');
  });

  it('shows an objective card with owner, type, key results and why it matters', async () => {
    const doc = sample();
    const o = doc.objectives.find((x) => x.id === 'obj-4')!;
    const parent = doc.objectives.find((x) => x.id === o.parentId)!;
    const el = await mount('candor-objective', { document: doc }, { 'objective-id': 'obj-4' });
    const root = el.shadowRoot!;
    expect(root.querySelector('h3')!.textContent).toContain(o.title);
    expect(text(el)).toMatch(/Committed|Aspirational/);
    expect(root.querySelectorAll('candor-key-result')).toHaveLength(doc.keyResults.filter((k) => k.objectiveId === 'obj-4').length);
    expect(root.querySelector('[part=why]')!.textContent).toContain(parent.title);
    const seen = next(el, 'candor-select');
    (root.querySelector('[part=why] button') as HTMLElement).click();
    expect((await seen).detail).toEqual({ kind: 'objective', id: parent.id });
  });

  it('turns only http(s) and mailto URLs of a description into links', async () => {
    const doc = sample();
    doc.objectives[0]!.description = 'See https://wiki.example/okr, mail mailto:okr@example.com, not javascript:alert(1) or data:text/html,x';
    const el = await mount('candor-objective', { document: doc }, { 'objective-id': doc.objectives[0]!.id });
    const links = [...el.shadowRoot!.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links).toEqual(['https://wiki.example/okr', 'mailto:okr@example.com']);
    expect(el.shadowRoot!.querySelector('[part=description]')!.textContent).toContain('javascript:alert(1)');
  });

  it('says so when the selected record does not exist', async () => {
    const el = await mount('candor-objective', { document: sample() }, { 'objective-id': 'nope' });
    expect(el.shadowRoot!.querySelector('[role=status]')!.textContent).toContain('No objective with id “nope”');
  });
});

describe('candor-alignment-tree', () => {
  it('is an ARIA tree with levels, expansion and rolled-up progress', async () => {
    const el = await mount('candor-alignment-tree', { document: sample() }, { 'company-name': 'Northwind Labs' });
    const root = el.shadowRoot!;
    expect(root.querySelector('[role=tree]')).not.toBeNull();
    const items = root.querySelectorAll('[role=treeitem]');
    expect(items[0]!.getAttribute('aria-level')).toBe('1');
    expect(items[0]!.getAttribute('aria-expanded')).toBe('true');
    expect(items[0]!.getAttribute('tabindex')).toBe('0');
    expect(root.querySelectorAll('[role=treeitem][tabindex="0"]')).toHaveLength(1);
    expect(items[1]!.getAttribute('aria-level')).toBe('2');
    expect(root.querySelector('[role=group]')).not.toBeNull();
    expect(items[0]!.textContent!.replace(/\s+/g, ' ')).toMatch(/Northwind Labs \d+ objectives \d+%/);
    expect(root.getElementById(items[0]!.getAttribute('aria-owns')!)!.getAttribute('role')).toBe('group');
  });

  it('moves with arrows, expands with →, collapses with ←, jumps with Home/End and selects with Enter', async () => {
    const el = await mount('candor-alignment-tree', { document: sample() });
    const root = el.shadowRoot!;
    const focused = () => root.activeElement as HTMLElement;
    const press = async (keys: string) => {
      await userEvent.keyboard(keys);
      await el.updateComplete;
    };
    (root.querySelector('[role=treeitem]') as HTMLElement).focus();
    await press('{ArrowDown}');
    expect(focused().getAttribute('aria-level')).toBe('2');
    await press('{ArrowUp}');
    expect(focused().getAttribute('aria-level')).toBe('1');
    // A collapsed team at level 2
    const team = root.querySelector('[role=treeitem][aria-level="2"][aria-expanded="false"]') as HTMLElement;
    team.focus();
    await press('{ArrowRight}');
    expect(team.getAttribute('aria-expanded')).toBe('true');
    await press('{ArrowRight}');
    expect(focused().getAttribute('aria-level')).toBe('3');
    await press('{ArrowLeft}');
    expect(focused()).toBe(team);
    await press('{ArrowLeft}');
    expect(team.getAttribute('aria-expanded')).toBe('false');
    await press('{ArrowLeft}');
    expect(focused().getAttribute('aria-level')).toBe('1');
    await press('{End}');
    const all = [...root.querySelectorAll('[role=treeitem]')];
    expect(focused()).toBe(all[all.length - 1]);
    await press('{Home}');
    expect(focused()).toBe(all[0]);
    expect(root.querySelectorAll('[role=treeitem][tabindex="0"]')).toHaveLength(1);
    team.focus();
    const selected = next(el, 'candor-select');
    await press('{Enter}');
    const e = await selected;
    expect(e.detail.kind).toBe('team');
    expect(team.getAttribute('aria-expanded')).toBe('true');
  });

  it('pages a huge branch: opening a 450-person team renders 200 and a "Show more" item', async () => {
    const doc = sample();
    for (let i = 0; i < 450; i++) doc.people.push({ id: `extra-${i}`, name: `Extra Person ${i}`, teamIds: ['team-mobile'] });
    const el = await mount('candor-alignment-tree', { document: doc }, { 'team-id': 'team-mobile' });
    const root = el.shadowRoot!;
    const levelTwo = () => root.querySelectorAll('[role=treeitem][aria-level="2"]');
    expect(levelTwo().length).toBe(201);
    const more = root.querySelector('.more') as HTMLElement;
    expect(more.textContent).toMatch(/Show 200 more of \d+/);
    expect(more.getAttribute('aria-setsize')).toBe('201');
    more.focus();
    await userEvent.keyboard('{Enter}');
    await el.updateComplete;
    expect(levelTwo().length).toBe(401);
    expect((root.activeElement as HTMLElement).getAttribute('aria-posinset')).toBe('201');
  });

  it('roots the tree at a team', async () => {
    const el = await mount('candor-alignment-tree', { document: sample() }, { 'team-id': 'team-mobile' });
    const item = el.shadowRoot!.querySelector('[role=treeitem]')!;
    expect(item.textContent).toContain('Mobile');
  });
});

describe('candor-checkin-feed', () => {
  it('lists check-ins newest first, grouped by day, with notes and comments', async () => {
    const doc = sample();
    const el = await mount('candor-checkin-feed', { document: doc, limit: 30 });
    const root = el.shadowRoot!;
    const times = [...root.querySelectorAll('time')].map((t) => Date.parse(t.getAttribute('datetime')!));
    expect(times).toHaveLength(30);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(root.querySelectorAll('h3').length).toBeGreaterThan(1);
    expect(text(el)).toContain('older check-ins not shown');
  });

  it('narrows to a person and gives kudos to the author', async () => {
    const doc = sample();
    const el = await mount('candor-checkin-feed', { document: doc }, { 'person-id': 'ana-moreau' });
    const entries = el.shadowRoot!.querySelectorAll('[part=entry]');
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.textContent).toContain('Ana Moreau');
    const kudos = next(el, 'candor-kudos');
    (el.shadowRoot!.querySelector('[part=kudos-button]') as HTMLElement).click();
    const e = await kudos;
    expect(e.detail.toIds).toEqual(['ana-moreau']);
    expect(e.detail.target.kind).toBe('checkIn');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part=kudos-button]')!.getAttribute('aria-pressed')).toBe('true');
  });

  it('formats dates in the locale', async () => {
    const el = await mount('candor-checkin-feed', { document: sample(), limit: 3 }, { locale: 'de-DE' });
    expect(el.shadowRoot!.querySelector('h3')!.textContent).toMatch(/(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag)/);
  });
});

describe('candor-team-board', () => {
  it('shows a team with its status summary, net confidence and cards', async () => {
    const el = await mount('candor-team-board', { document: sample() }, { 'team-id': 'team-platform', 'cycle-id': '2026-q2' });
    const root = el.shadowRoot!;
    expect(root.querySelector('h2')!.textContent).toBe('Platform');
    expect(root.querySelectorAll('candor-objective[compact]').length).toBeGreaterThan(0);
    expect(text(el)).toContain('net confidence');
    expect(root.querySelector('[part=summary] li')).not.toBeNull();
  });
});

describe('candor-checkin-form', () => {
  it('marks an empty value invalid and describes the error', async () => {
    const el = await mount('candor-checkin-form', { document: sample() }, { 'key-result-id': 'kr-1', 'person-id': 'ana-moreau' });
    const root = el.shadowRoot!;
    const input = root.querySelector('#value') as HTMLInputElement;
    input.value = '';
    const spy = vi.fn();
    el.addEventListener('candor-checkin', spy);
    (root.querySelector('[part=submit]') as HTMLButtonElement).click();
    await el.updateComplete;
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const describedBy = input.getAttribute('aria-describedby')!.split(' ');
    expect(describedBy).toContain('value-error');
    expect(root.getElementById('value-error')!.textContent).toContain('Enter the value');
    expect(spy).not.toHaveBeenCalled();
  });

  it('shows the core schema error on the field it concerns', async () => {
    const el = await mount('candor-checkin-form', { document: sample() }, { 'key-result-id': 'kr-1', 'person-id': 'ana-moreau' });
    const root = el.shadowRoot!;
    (root.querySelector('#value') as HTMLInputElement).value = '3';
    // maxlength stops typing, not scripts; the core schema still refuses a note over 5,000 characters.
    (root.querySelector('#note') as HTMLTextAreaElement).value = 'x'.repeat(5001);
    (root.querySelector('[part=submit]') as HTMLButtonElement).click();
    await el.updateComplete;
    const note = root.querySelector('#note')!;
    expect(note.getAttribute('aria-invalid')).toBe('true');
    expect(root.getElementById(note.getAttribute('aria-describedby')!)!.textContent).toContain('at most 5000 characters');
  });

  it('emits the validated check-in', async () => {
    const el = await mount('candor-checkin-form', { document: sample() }, { 'key-result-id': 'kr-1', 'person-id': 'ana-moreau' });
    const root = el.shadowRoot!;
    await userEvent.fill(root.querySelector('#value') as HTMLInputElement, '42.5');
    await userEvent.fill(root.querySelector('#note') as HTMLTextAreaElement, 'Shipped the <b>thing</b>');
    const range = root.querySelector('#confidence') as HTMLInputElement;
    range.value = '8';
    range.dispatchEvent(new Event('input', { bubbles: true }));
    const got = next(el, 'candor-checkin');
    (root.querySelector('[part=submit]') as HTMLButtonElement).click();
    const { checkIn } = (await got).detail;
    expect(checkIn).toMatchObject({ keyResultId: 'kr-1', authorId: 'ana-moreau', value: 42.5, confidence: 0.8, note: 'Shipped the <b>thing</b>' });
    expect(Date.parse(checkIn.at)).toBeGreaterThan(0);
    await el.updateComplete;
    expect(root.querySelector('[role=status]')!.textContent).toContain('Check-in recorded');
  });

  it('offers milestones as checkboxes and done as a checkbox', async () => {
    const doc = sample();
    const ms = doc.keyResults.find((k) => k.metric.kind === 'milestones')!;
    const el = await mount('candor-checkin-form', { document: doc }, { 'key-result-id': ms.id, 'person-id': 'ana-moreau' });
    const boxes = el.shadowRoot!.querySelectorAll('input[name=milestone]');
    expect(boxes.length).toBe((ms.metric as { items: unknown[] }).items.length);
    (boxes[0] as HTMLInputElement).checked = true;
    const got = next(el, 'candor-checkin');
    (el.shadowRoot!.querySelector('[part=submit]') as HTMLButtonElement).click();
    expect((await got).detail.checkIn.milestonesDone).toContain((boxes[0] as HTMLInputElement).value);
  });
});

describe('theming', () => {
  it('switches to dark with the theme attribute and keeps px sizes when the page sets html { font-size: 62.5% }', async () => {
    document.documentElement.style.fontSize = '62.5%';
    const el = await mount('candor-key-result', { document: sample() }, { 'key-result-id': 'kr-1', theme: 'light' });
    const card = el.shadowRoot!.querySelector('[part=card]')!;
    const light = getComputedStyle(card).backgroundColor;
    expect(getComputedStyle(el).fontSize).toBe('14px');
    el.theme = 'dark';
    await settled(el);
    expect(el.getAttribute('theme')).toBe('dark');
    expect(getComputedStyle(card).backgroundColor).not.toBe(light);
    el.style.setProperty('--candor-surface', 'rgb(1, 2, 3)');
    expect(getComputedStyle(card).backgroundColor).toBe('rgb(1, 2, 3)');
  });
});

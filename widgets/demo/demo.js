// The demo page's script (a file, never inline: the page runs under a strict CSP).
import { loadDocument } from './candor-widgets.js';

const root = document.documentElement;
const toggle = document.getElementById('theme-toggle');
const widgets = () => document.querySelectorAll('candor-team-board, candor-objective, candor-key-result, candor-progress, candor-sparkline, candor-alignment-tree, candor-checkin-form, candor-checkin-feed');

function setTheme(theme) {
  root.dataset.theme = theme;
  for (const w of widgets()) w.setAttribute('theme', theme);
  toggle.setAttribute('aria-pressed', String(theme === 'dark'));
  toggle.textContent = theme === 'dark' ? 'Light mode' : 'Dark mode';
}
const saved = new URLSearchParams(location.search).get('theme') ?? localStorage.getItem('candor-demo-theme');
setTheme(saved ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
toggle.addEventListener('click', () => {
  const next = root.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem('candor-demo-theme', next);
  setTheme(next);
});

const SCRIPT = '<script type="module" src="/candor-widgets.js"></script>';
function snippet(tag, attrs) {
  const list = Object.entries(attrs).map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${v}"`)).join('');
  return `<${tag} src="/okrs.json"${list}></${tag}>`;
}

// Where the data comes from: `npm start` points the demo at the team server (live), else sample.json.
const source = await fetch('demo-config.json')
  .then((r) => (r.ok ? r.json() : null))
  .catch(() => null) ?? { src: 'sample.json', live: false };
document.getElementById('source').textContent = source.live ? `${source.src}, live from the team server` : source.src;
const doc = await loadDocument(source.src);
const now = Date.now();
const current = doc.cycles.find((c) => Date.parse(c.start) <= now && now <= Date.parse(`${c.end}T23:59:59Z`)) ?? doc.cycles[doc.cycles.length - 1];
const inCycle = doc.objectives.filter((o) => o.cycleId === current.id);
const team = doc.teams.find((t) => t.parentId && inCycle.some((o) => o.owner.kind === 'team' && o.owner.id === t.id)) ?? doc.teams[0];
const objective = inCycle.find((o) => o.owner.kind === 'team' && o.owner.id === team.id && o.parentId) ?? inCycle.find((o) => o.parentId) ?? inCycle[0];
const counts = new Map();
for (const c of doc.checkIns) counts.set(c.keyResultId, (counts.get(c.keyResultId) ?? 0) + 1);
const krs = doc.keyResults.filter((k) => k.objectiveId === objective.id);
const kr = krs.find((k) => (k.metric.kind === 'increase' || k.metric.kind === 'decrease') && counts.get(k.id) > 2) ?? krs[0];
const person = doc.people.find((p) => p.teamIds.includes(team.id)) ?? doc.people[0];

const choices = {
  'candor-team-board': { 'team-id': team.id, 'cycle-id': current.id },
  'candor-objective': { 'objective-id': objective.id },
  'candor-key-result': { 'key-result-id': kr.id },
  'candor-progress': { 'key-result-id': kr.id, variant: 'ring' },
  'candor-sparkline': { 'key-result-id': kr.id },
  'candor-alignment-tree': { 'cycle-id': current.id, 'company-name': 'Northwind Labs' },
  'candor-checkin-form': { 'key-result-id': kr.id, 'person-id': person.id },
  'candor-checkin-feed': { 'team-id': team.id, limit: 6 },
};
for (const [tag, attrs] of Object.entries(choices)) {
  for (const el of document.querySelectorAll(tag)) {
    for (const [k, v] of Object.entries(attrs)) if (!(tag === 'candor-progress' && k === 'variant')) el.setAttribute(k, String(v));
    el.toggleAttribute('live', source.live);
    el.setAttribute('src', source.src);
  }
  const code = document.querySelector(`[data-snippet="${tag}"]`);
  if (code) code.textContent = `${SCRIPT}\n${snippet(tag, attrs)}`;
}

const log = document.getElementById('event-log');
for (const name of ['candor-checkin', 'candor-kudos', 'candor-select']) {
  document.addEventListener(name, (e) => {
    log.textContent = `${name} ${JSON.stringify(e.detail).slice(0, 220)}`;
  });
}

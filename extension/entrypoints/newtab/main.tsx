// First paint: my goals from the stored snapshot, before Yjs, zod or the widgets load. This module
// stays tiny (Preact + scoring + the snapshot read); the full app is a separate chunk loaded after.
// Nothing here takes focus: the address bar keeps it.
import '../../components/base.css';
import './newtab.css';
import { render } from 'preact';
import { scoreDocument } from '../../../core/scoring/index.ts';
import { goalsView, pulse, cycleToShow, documentForMe } from '../../state/derive.ts';
import { snapshotOf } from '../../lib/snapshot.ts';
import { DATABASES, mirroredWorkspace } from '../../lib/workspaces.ts';
import { NewTabLayout } from './layout.tsx';

async function firstPaint(root: HTMLElement): Promise<boolean> {
  // The active workspace (mine, or the demo organisation with its own database), as the mirrors say.
  const { kind, me } = mirroredWorkspace();
  if (!me) return false;
  performance.mark('candor:first-paint-start');
  const doc = await snapshotOf(me, DATABASES[kind]);
  performance.mark('candor:snapshot-read');
  if (!doc) return false;
  const now = new Date();
  const cycle = cycleToShow(doc, now);
  if (!cycle) return false;
  // Score only what my goals depend on; alignment ("why it matters") reads the whole document.
  const mine = documentForMe(doc, me, cycle.id);
  const view = goalsView(mine, scoreDocument(mine, { at: now }), me, now, doc);
  performance.mark('candor:scored');
  if (!view.objectives.length) return false;
  render(<NewTabLayout view={view} pulse={pulse(doc, [], me)} now={now} demo={kind === 'demo' ? {} : undefined} />, root);
  // Marked in the frame that shows them, and the full app starts loading only after that frame.
  await nextFrame();
  performance.mark('candor:goals-painted');
  return true;
}

/** Resolves just before the next frame is painted (at once in a hidden tab, which paints nothing). */
const nextFrame = () => new Promise<void>((resolve) => (document.hidden ? resolve() : requestAnimationFrame(() => resolve())));
const afterPaint = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const root = document.getElementById('app')!;
const painted = await firstPaint(root);
if (painted) await afterPaint();
const app = await import('./app.tsx');
await app.start(root);
if (!painted && root.querySelector('.objective')) performance.mark('candor:goals-painted');

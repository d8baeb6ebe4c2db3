import '../../widgets/define.ts';
import { parseDocument, type CandorDocument } from '../../core/model/index.ts';
import fixture from '../fixtures/sample-small.json';
import type { CandorElement } from '../../widgets/index.ts';

/** The small sample organisation, parsed (a fresh copy each call). */
export function sample(): CandorDocument {
  const r = parseDocument(structuredClone(fixture));
  if (!r.ok) throw r.error;
  return r.value;
}

/** Every shadow root under `root`, depth first. */
export function shadowRoots(root: Element | ShadowRoot | Document): ShadowRoot[] {
  const out: ShadowRoot[] = [];
  const walk = (n: Element | ShadowRoot | Document) => {
    for (const el of n.querySelectorAll('*')) {
      if (el.shadowRoot) {
        out.push(el.shadowRoot);
        walk(el.shadowRoot);
      }
    }
  };
  walk(root);
  return out;
}

/** Waits until every Candor element under `root` (nested included) finished updating. */
export async function settled(root: Element | Document = document.body): Promise<void> {
  for (let round = 0; round < 6; round++) {
    const els = [root, ...shadowRoots(root).map((s) => s.host)].flatMap((r) => [...(r instanceof Element ? [r] : []), ...r.querySelectorAll('*')]);
    const pending = els.filter((e): e is CandorElement => 'updateComplete' in e);
    const results = await Promise.all(pending.map((e) => e.updateComplete));
    if (results.every(Boolean)) return;
  }
}

/** Creates `<tag>` with properties, attaches it and waits for it (and its children) to render. */
export async function mount<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & Record<string, unknown> = {},
  attrs: Record<string, string> = {},
): Promise<HTMLElementTagNameMap[K]> {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  Object.assign(el, props);
  document.body.append(el);
  await settled(el);
  return el;
}

/** Resolves when `el` fires `name` (or rejects after `ms`). */
export function next<K extends keyof HTMLElementEventMap>(el: EventTarget, name: K, ms = 8000): Promise<HTMLElementEventMap[K]> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    el.addEventListener(name, (e) => (clearTimeout(t), resolve(e as HTMLElementEventMap[K])), { once: true });
  });
}

export const text = (el: Element) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** The deep text of an element, nested shadow roots included. */
export function deepText(el: Element): string {
  const parts: string[] = [];
  const walk = (n: Node) => {
    if (n.nodeType === Node.TEXT_NODE) parts.push(n.textContent ?? '');
    if (n instanceof Element && n.shadowRoot) walk(n.shadowRoot);
    for (const c of n.childNodes) walk(c);
  };
  walk(el);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

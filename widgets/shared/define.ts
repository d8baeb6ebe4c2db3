/** The version of this widget library, compared when a second copy registers the same tags. */
export const WIDGETS_VERSION = '0.1.0';

type Versioned = CustomElementConstructor & { version?: string };
const WARNED = Symbol.for('candor.widgets.define-warned');

/**
 * Registers `ctor` as `tag` without ever throwing: when the tag is already taken by the same class or
 * the same library version, nothing happens; by another version, one console warning is printed for
 * the page (the first copy stays in charge).
 */
export function defineElement(tag: string, ctor: Versioned): void {
  const existing = customElements.get(tag) as Versioned | undefined;
  if (!existing) {
    customElements.define(tag, ctor);
    return;
  }
  if (existing === ctor || existing.version === ctor.version) return;
  const g = globalThis as { [WARNED]?: boolean };
  if (g[WARNED]) return;
  g[WARNED] = true;
  console.warn(
    `Candor widgets ${ctor.version ?? '?'}: <${tag}> is already defined by version ${existing.version ?? 'unknown'}; ` +
      'keeping the first. Load one copy of the widgets per page.',
  );
}

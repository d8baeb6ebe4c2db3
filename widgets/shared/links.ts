import { html, type TemplateResult } from 'lit';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

/** The URL when it is absolute `http(s)` or `mailto`; otherwise undefined (never `javascript:`, `data:` …). */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const LINK = /\b(?:https?:\/\/|mailto:)[^\s<>"']+/gi;

/**
 * Plain text with its `http(s)` and `mailto` URLs turned into links. Everything else stays text:
 * Lit renders strings as text nodes, so markup in user text is shown, never parsed.
 */
export function linkify(text: string): (string | TemplateResult)[] {
  const out: (string | TemplateResult)[] = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    const raw = m[0].replace(/[.,;:!?)\]]+$/, '');
    const href = safeHref(raw);
    if (!href) continue;
    out.push(text.slice(last, m.index));
    out.push(html`<a part="link" href=${href} target="_blank" rel="noopener noreferrer">${raw}</a>`);
    last = m.index + raw.length;
  }
  out.push(text.slice(last));
  return out;
}

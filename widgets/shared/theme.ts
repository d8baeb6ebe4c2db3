import { css } from 'lit';

// Page-level tokens (`--candor-*`) override the defaults in both themes; components read the private
// `--_*` copies. Sizes are px so a host page's `html { font-size: 62.5% }` changes nothing.
// Both token sets are `css` results (never adopted alone), so the build squeezes them like any style.
const light = css`
  --_bg: var(--candor-surface, #ffffff);
  --_fg: var(--candor-text, #1f2328);
  --_muted: var(--candor-muted, #59636e);
  --_border: var(--candor-border, #d1d9e0);
  --_subtle: var(--candor-subtle, #f6f8fa);
  --_accent: var(--candor-accent, #0969da);
  --_track: var(--candor-track, #e3e8ee);
  --_on-track: var(--candor-on-track, #1a7f37);
  --_at-risk: var(--candor-at-risk, #bf8700);
  --_off-track: var(--candor-off-track, #d1242f);
  --_stale: var(--candor-stale, #818b98);
  --_done: var(--candor-done, #8250df);
  --_danger-text: var(--candor-danger-text, #b3261e);
  color-scheme: light;
`;
const dark = css`
  --_bg: var(--candor-surface, #151b23);
  --_fg: var(--candor-text, #e6edf3);
  --_muted: var(--candor-muted, #9aa4b0);
  --_border: var(--candor-border, #3d444d);
  --_subtle: var(--candor-subtle, #212830);
  --_accent: var(--candor-accent, #4493f8);
  --_track: var(--candor-track, #2f3742);
  --_on-track: var(--candor-on-track, #3fb950);
  --_at-risk: var(--candor-at-risk, #d29922);
  --_off-track: var(--candor-off-track, #f85149);
  --_stale: var(--candor-stale, #8b949e);
  --_done: var(--candor-done, #ab7df8);
  --_danger-text: var(--candor-danger-text, #ff9492);
  color-scheme: dark;
`;

/** Tokens, light/dark switching and the base every Candor widget shares. */
export const base = css`
  :host {
    ${light}
    --_radius: var(--candor-radius, 8px);
    --_font: var(--candor-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', sans-serif);
    --_size: var(--candor-font-size, 14px);
    display: block;
    box-sizing: border-box;
    font: 400 var(--_size) / 1.45 var(--_font);
    color: var(--_fg);
    -webkit-text-size-adjust: 100%;
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }
  :host([theme='dark']) {
    ${dark}
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      transition: none !important;
      animation: none !important;
    }
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  a {
    color: var(--_accent);
  }
  button {
    font: inherit;
    color: inherit;
  }
  .muted {
    color: var(--_muted);
  }
  .state {
    padding: 12px 14px;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    color: var(--_muted);
    background: var(--_bg);
  }
  .state.error {
    border-style: solid;
    border-color: var(--_off-track);
    color: var(--_fg);
  }
  .status {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    white-space: nowrap;
    font-size: 12px;
    font-weight: 600;
    padding: 1px 8px;
    border: 1px solid var(--_border);
    border-radius: 999px;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    flex: none;
    background: var(--_c, var(--_stale));
  }
  .on-track {
    --_c: var(--_on-track);
  }
  .at-risk {
    --_c: var(--_at-risk);
  }
  .off-track {
    --_c: var(--_off-track);
  }
  .stale {
    --_c: var(--_stale);
  }
  .done {
    --_c: var(--_done);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

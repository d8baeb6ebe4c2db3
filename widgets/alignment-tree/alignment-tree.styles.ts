import { css } from 'lit';

export const treeStyles = css`
  .box {
    container-type: inline-size;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    padding: 6px;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  [role='treeitem'] {
    outline: none;
    /* Thousands of open nodes: only rows on screen are laid out and painted. */
    content-visibility: auto;
    contain-intrinsic-size: auto 34px;
  }
  [role='group'] {
    padding-left: 18px;
  }
  .row {
    display: grid;
    grid-template-columns: 16px auto minmax(0, 1fr) auto minmax(64px, 140px);
    align-items: center;
    gap: 8px;
    padding: 5px 8px;
    border-radius: 6px;
    cursor: pointer;
    min-height: 32px;
  }
  .row:hover {
    background: var(--_subtle);
  }
  [role='treeitem']:focus-visible > .row {
    outline: 2px solid var(--_accent);
    outline-offset: -2px;
  }
  [aria-selected='true'] > .row {
    background: var(--_subtle);
  }
  .twisty {
    width: 16px;
    height: 16px;
    display: inline-grid;
    place-items: center;
    color: var(--_muted);
    transition: transform 120ms ease;
  }
  [aria-expanded='true'] > .row .twisty {
    transform: rotate(90deg);
  }
  .badge {
    width: 22px;
    height: 22px;
    border-radius: 6px;
    display: inline-grid;
    place-items: center;
    font-size: 11px;
    font-weight: 700;
    background: var(--_subtle);
    border: 1px solid var(--_border);
    color: var(--_fg);
  }
  .person .badge {
    border-radius: 50%;
  }
  .objective .badge {
    border-style: dashed;
  }
  .name {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .company > .row .name,
  .team > .row .name {
    font-weight: 600;
  }
  .count {
    font-size: 12px;
    color: var(--_muted);
    white-space: nowrap;
  }
  .objective > .row .count {
    display: none;
  }
  .more .name {
    color: var(--_accent);
    font-weight: 600;
  }
  .meter.none svg {
    visibility: hidden;
  }
  @container (max-width: 420px) {
    .row {
      grid-template-columns: 16px auto minmax(0, 1fr) auto 64px;
    }
    .row .count {
      display: none;
    }
    .row .value {
      display: none;
    }
  }
  .green {
    --_c: var(--_on-track);
  }
  .yellow {
    --_c: var(--_at-risk);
  }
  .red {
    --_c: var(--_off-track);
  }
`;

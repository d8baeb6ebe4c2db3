import { css } from 'lit';

export const feedStyles = css`
  .feed {
    display: grid;
    gap: 14px;
  }
  h3 {
    margin: 0 0 6px;
    font-size: 12px;
    font-weight: 650;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--_muted);
  }
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 8px;
  }
  .entry {
    /* A long feed lays out only what is on screen. */
    content-visibility: auto;
    contain-intrinsic-size: auto 96px;
    display: grid;
    grid-template-columns: 32px minmax(0, 1fr);
    gap: 10px;
    padding: 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .avatar {
    width: 32px;
    height: 32px;
    border-radius: 50%;
    display: grid;
    place-items: center;
    font-size: 12px;
    font-weight: 700;
    background: var(--_subtle);
    border: 1px solid var(--_border);
  }
  .body {
    display: grid;
    gap: 4px;
    min-width: 0;
  }
  .who {
    overflow-wrap: anywhere;
  }
  .who strong {
    font-weight: 600;
  }
  .facts {
    display: flex;
    flex-wrap: wrap;
    gap: 2px 12px;
    font-size: 13px;
    color: var(--_muted);
  }
  .facts b {
    color: var(--_fg);
    font-weight: 600;
  }
  .note,
  .blockers {
    margin: 0;
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  .blockers {
    font-size: 13px;
  }
  .comments {
    gap: 4px;
    padding-left: 10px;
    border-left: 2px solid var(--_border);
    font-size: 13px;
  }
  .comments li {
    overflow-wrap: anywhere;
    white-space: pre-line;
  }
  .actions {
    display: flex;
    align-items: center;
    gap: 10px;
    font-size: 13px;
    color: var(--_muted);
  }
  .kudos {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 3px 10px;
    border-radius: 999px;
    border: 1px solid var(--_border);
    background: var(--_bg);
    cursor: pointer;
    font-size: 13px;
  }
  .kudos:hover {
    background: var(--_subtle);
  }
  .kudos[aria-pressed='true'] {
    border-color: var(--_accent);
  }
  .icon {
    width: 14px;
    height: 14px;
    flex: none;
    vertical-align: -2px;
    fill: var(--_off-track);
  }
  .more {
    font-size: 13px;
    color: var(--_muted);
  }
`;

import { css } from 'lit';

export const objectiveStyles = css`
  .card {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
    padding: 16px;
    display: grid;
    gap: 10px;
  }
  .head {
    display: flex;
    gap: 14px;
    align-items: flex-start;
  }
  .head candor-progress {
    flex: none;
  }
  .heading {
    flex: 1;
    min-width: 0;
    display: grid;
    gap: 4px;
  }
  h3 {
    margin: 0;
    font-size: 16px;
    line-height: 1.3;
    font-weight: 650;
  }
  .title {
    all: unset;
    cursor: pointer;
    overflow-wrap: anywhere;
  }
  .title:hover {
    text-decoration: underline;
  }
  .title:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
    border-radius: 2px;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 10px;
    font-size: 13px;
    color: var(--_muted);
  }
  .type {
    font-size: 12px;
    padding: 0 8px;
    border-radius: 999px;
    background: var(--_subtle);
    color: var(--_fg);
    border: 1px solid var(--_border);
  }
  .desc {
    margin: 0;
    white-space: pre-line;
    overflow-wrap: anywhere;
  }
  .why {
    font-size: 13px;
    color: var(--_muted);
    display: flex;
    flex-wrap: wrap;
    gap: 2px 6px;
    align-items: baseline;
  }
  .why ol {
    display: contents;
    list-style: none;
  }
  .why li + li::before {
    content: '→ ';
    color: var(--_muted);
  }
  .why button {
    all: unset;
    cursor: pointer;
    color: var(--_fg);
    text-decoration: underline;
    text-decoration-color: var(--_border);
    text-underline-offset: 2px;
  }
  .why button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .krs {
    display: grid;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .krs li + li {
    border-top: 1px solid var(--_border);
  }
  .flag {
    font-size: 13px;
    padding: 6px 10px;
    border-radius: 6px;
    background: var(--_subtle);
  }
  :host([compact]) .card {
    padding: 12px 14px;
    gap: 8px;
  }
  :host([compact]) h3 {
    font-size: 14px;
  }
`;

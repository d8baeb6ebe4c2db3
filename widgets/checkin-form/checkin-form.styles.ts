import { css } from 'lit';

export const formStyles = css`
  form {
    display: grid;
    gap: 12px;
    padding: 16px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  h3 {
    margin: 0;
    font-size: 15px;
    font-weight: 650;
    overflow-wrap: anywhere;
  }
  .field {
    display: grid;
    gap: 4px;
  }
  label,
  legend {
    font-weight: 600;
    font-size: 13px;
  }
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 4px;
  }
  .check {
    display: flex;
    gap: 8px;
    align-items: center;
    font-weight: 400;
  }
  input[type='number'],
  textarea {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 6px;
    padding: 6px 8px;
    width: 100%;
  }
  textarea {
    min-height: 64px;
    resize: vertical;
  }
  input[type='range'] {
    width: 100%;
    accent-color: var(--_accent);
  }
  input[type='checkbox'] {
    accent-color: var(--_accent);
    width: 16px;
    height: 16px;
  }
  [aria-invalid='true'] {
    border-color: var(--_off-track);
    outline: 1px solid var(--_off-track);
  }
  .hint {
    font-size: 12px;
    color: var(--_muted);
  }
  .error {
    margin: 0;
    font-size: 13px;
    color: var(--_danger-text);
    font-weight: 600;
  }
  .row {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
  }
  output {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  button[type='submit'] {
    justify-self: start;
    padding: 7px 16px;
    border: 0;
    border-radius: 6px;
    background: var(--_accent);
    color: var(--candor-on-accent, #fff);
    font-weight: 600;
    cursor: pointer;
  }
  :host([theme='dark']) button[type='submit'] {
    color: var(--candor-on-accent, #0d1117);
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) button[type='submit'] {
      color: var(--candor-on-accent, #0d1117);
    }
  }
  .done {
    margin: 0;
    color: var(--_fg);
    font-size: 13px;
  }
`;

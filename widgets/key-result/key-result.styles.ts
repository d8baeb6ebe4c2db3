import { css } from 'lit';

export const keyResultStyles = css`
  :host {
    container-type: inline-size;
  }
  .kr {
    display: grid;
    gap: 6px;
    padding: 10px 0;
  }
  :host(:not([embedded])) .kr {
    padding: 12px 14px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  .head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 8px;
  }
  .title {
    all: unset;
    font-weight: 600;
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
  .numbers {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 14px;
    font-size: 13px;
    color: var(--_muted);
  }
  .numbers strong {
    color: var(--_fg);
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .chart {
    display: flex;
    align-items: center;
    gap: 12px;
  }
  .chart candor-progress {
    flex: 1;
    min-width: 0;
  }
  .due {
    color: var(--_danger-text);
    font-weight: 600;
  }
  @container (max-width: 260px) {
    candor-sparkline {
      display: none;
    }
  }
`;

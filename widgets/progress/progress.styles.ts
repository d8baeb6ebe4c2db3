import { css } from 'lit';

/** Shared by every bar and ring, inside `candor-progress` and in the tree and board rows. */
export const meterStyles = css`
  .meter {
    display: flex;
    align-items: center;
    gap: 8px;
    min-width: 0;
  }
  .bar {
    flex: 1;
    min-width: 40px;
    height: var(--candor-progress-height, 8px);
    border-radius: 999px;
    overflow: hidden;
    display: block;
  }
  .track {
    fill: var(--_track);
  }
  .fill {
    fill: var(--candor-progress-color, var(--_c, var(--_accent)));
    stroke: var(--candor-progress-color, var(--_c, var(--_accent)));
    transition: width 300ms ease, stroke-dasharray 300ms ease;
  }
  .expected {
    stroke: var(--candor-progress-expected-color, var(--_fg));
    stroke-width: 2px;
    opacity: 0.75;
  }
  .ring {
    width: var(--candor-progress-size, 56px);
    height: var(--candor-progress-size, 56px);
    flex: none;
  }
  .ring .track-ring {
    fill: none;
    stroke: var(--_track);
  }
  .ring .fill {
    fill: none;
  }
  .ring text {
    font: 600 9px var(--_font);
    fill: var(--_fg);
  }
  .value {
    font-variant-numeric: tabular-nums;
    font-size: 12px;
    font-weight: 600;
    min-width: 3.2em;
    text-align: end;
  }
  .exceeded .value::after {
    content: ' ▲';
    font-size: 9px;
    color: var(--_done);
  }
`;

export const progressStyles = css`
  :host {
    display: block;
  }
  :host([variant='ring']) {
    display: inline-block;
  }
`;

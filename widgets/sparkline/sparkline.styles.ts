import { css } from 'lit';

export const sparklineStyles = css`
  :host {
    display: inline-block;
    width: var(--candor-sparkline-width, 120px);
    height: var(--candor-sparkline-height, 28px);
    vertical-align: middle;
  }
  svg {
    display: block;
    width: 100%;
    height: 100%;
    overflow: visible;
  }
  .line {
    fill: none;
    stroke: var(--candor-sparkline-color, var(--_accent));
    stroke-width: 1.75px;
    stroke-linejoin: round;
    stroke-linecap: round;
  }
  .area {
    fill: var(--candor-sparkline-color, var(--_accent));
    opacity: 0.12;
  }
  .last {
    fill: var(--candor-sparkline-color, var(--_accent));
  }
  .empty {
    stroke: var(--_border);
    stroke-dasharray: 3 3;
  }
`;

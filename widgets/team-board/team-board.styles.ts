import { css } from 'lit';

export const boardStyles = css`
  .board {
    display: grid;
    gap: 14px;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 10px 16px;
  }
  h2 {
    margin: 0;
    font-size: 18px;
    font-weight: 650;
  }
  .summary {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 8px;
    align-items: center;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .ncs {
    display: grid;
    justify-items: end;
    line-height: 1.1;
  }
  .ncs b {
    font-size: 22px;
    font-variant-numeric: tabular-nums;
  }
  .ncs span {
    font-size: 12px;
    color: var(--_muted);
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(var(--candor-board-column, 260px), 1fr));
    gap: 12px;
    list-style: none;
    margin: 0;
    padding: 0;
  }
`;

/** A line y = slope·x + intercept. */
export interface Line {
  slope: number;
  intercept: number;
}

/**
 * The least-squares line through points, or undefined with fewer than two distinct x values.
 * Centred sums keep large x values (timestamps) precise.
 */
export function leastSquares(xs: ArrayLike<number>, ys: ArrayLike<number>): Line | undefined {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return undefined;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    sxx += dx * dx;
    sxy += dx * (ys[i]! - my);
  }
  if (!(sxx > 0)) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** The value of a line at x. */
export const lineAt = (line: Line, x: number): number => line.slope * x + line.intercept;

/**
 * Running sums for a least-squares fit, fed one point at a time (no arrays). x values should be
 * small (e.g. days since the cycle start) so the sums stay precise.
 */
export class LineFit {
  n = 0;
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;
  add(x: number, y: number): void {
    this.n++;
    this.sx += x;
    this.sy += y;
    this.sxx += x * x;
    this.sxy += x * y;
  }
  /** The fitted line, or undefined with fewer than two distinct x values. */
  line(): Line | undefined {
    const { n } = this;
    if (n < 2) return undefined;
    const den = n * this.sxx - this.sx * this.sx;
    if (!(den > 1e-9 * n * this.sxx)) return undefined;
    const slope = (n * this.sxy - this.sx * this.sy) / den;
    return { slope, intercept: (this.sy - slope * this.sx) / n };
  }
}

/** Token buckets: `capacity` events at once, refilled evenly at `perMinute`. */
export class Bucket {
  private tokens: number;

  constructor(
    readonly capacity: number,
    readonly perMinute: number,
    private at: number,
  ) {
    this.tokens = capacity;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.at) * (this.perMinute / 60_000));
    this.at = Math.max(this.at, now);
  }

  /** 0 when an event is allowed now, else the seconds until one is (takes nothing). */
  wait(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - this.tokens) / (this.perMinute / 60_000) / 1000));
  }

  /** Takes one event: 0 when allowed (and taken), else the seconds until one is. */
  take(now: number): number {
    const wait = this.wait(now);
    if (wait === 0) this.tokens -= 1;
    return wait;
  }

  /** Gives one back (an event that turned out not to count). */
  give(now: number): void {
    this.refill(now);
    this.tokens = Math.min(this.capacity, this.tokens + 1);
  }

  /** Full again: it carries no state worth keeping. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }
}

export interface RateLimiterOptions {
  /** Events allowed at once. Default `perMinute`. */
  capacity?: number;
  /** Most keys kept; beyond, full buckets are dropped first, then the least recently used. Default 100 000. */
  maxKeys?: number;
}

/** A bucket per key (a token, an address), in a map that never grows past `maxKeys`. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly maxKeys: number;
  private prunedAt = -Infinity;

  constructor(
    private readonly perMinute: number,
    options: RateLimiterOptions = {},
  ) {
    this.capacity = options.capacity ?? perMinute;
    this.maxKeys = Math.max(1, options.maxKeys ?? 100_000);
  }

  get size(): number {
    return this.buckets.size;
  }

  private bucket(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key); // re-inserted last: the map's order is least recently used first
    } else {
      b = new Bucket(this.capacity, this.perMinute, now);
      if (this.buckets.size >= this.maxKeys) this.evict(now);
    }
    this.buckets.set(key, b);
    return b;
  }

  private evict(now: number): void {
    // A full scan at most once a second; otherwise (every bucket busy: many addresses at once) the
    // least recently used goes, in O(1).
    if (now - this.prunedAt >= 1000) {
      this.prunedAt = now;
      for (const [k, b] of this.buckets) if (b.full(now)) this.buckets.delete(k);
    }
    while (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  /** Takes one event for `key`; returns 0 when allowed, else the seconds until the next is. */
  take(key: string, now = Date.now()): number {
    return this.bucket(key, now).take(now);
  }

  /** 0 when `key` may have an event now, else the seconds until it may (takes nothing). */
  wait(key: string, now = Date.now()): number {
    return this.buckets.get(key)?.wait(now) ?? 0;
  }

  /** Gives back one event taken for `key`. */
  give(key: string, now = Date.now()): void {
    this.buckets.get(key)?.give(now);
  }
}

/**
 * The rate-limit key of a remote address: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64, which
 * is what one household or host usually has.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0]!.toLowerCase();
  const [head = '', tail] = bare.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => (g || '0').replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

import { existsSync } from 'node:fs';

/**
 * Where Chromium is: `CHROMIUM_PATH` if set, else Debian's `/usr/bin/chromium`, else the
 * `chromium-browser` of other distributions. Test tools never download a browser of their own.
 */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

/** Flags every Candor test passes to Chromium on a closed-network CI machine. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-gpu',
  '--disable-dev-shm-usage',
];

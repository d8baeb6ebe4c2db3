#!/usr/bin/env node
// Checks the system programs the test suite needs and installs what is missing from Debian's
// packages when it can (root + apt-get); otherwise says exactly what to run and exits 1.
import { existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** Each need: how to tell it is there, and the Debian package that brings it. */
const needs = [
  {
    what: 'Chromium (browser tests and the extension e2e)',
    present: () =>
      [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].some((p) => p && existsSync(p)),
    apt: 'chromium',
    hint: 'or set CHROMIUM_PATH to a Chromium or Chrome binary',
  },
  {
    what: 'redis-server (team-server scale-out tests)',
    present: () => onPath('redis-server'),
    apt: 'redis-server',
    hint: 'or put a redis-server on PATH',
  },
];

const missing = needs.filter((n) => !n.present());
if (missing.length === 0) process.exit(0);

const packages = missing.map((n) => n.apt);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (isRoot && onPath('apt-get')) {
  console.log(`Installing ${packages.join(', ')} from Debian's packages (needed by the tests)…`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (e) {
    console.error(`apt-get failed: ${e.message}`);
  }
}
const still = needs.filter((n) => !n.present());
if (still.length === 0) process.exit(0);
console.error('The tests need programs this machine does not have:');
for (const n of still) console.error(`  - ${n.what}: run  sudo apt-get install -y ${n.apt}  (${n.hint})`);
process.exit(1);

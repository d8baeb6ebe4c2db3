// A team server as its own process for the benchmarks, and what /proc says about it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** CPU seconds (user + system) a process has used, from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Resident memory of a process, MB, from /proc. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Starts `server/main.ts` with `env` and resolves once it prints READY (30 s at most). */
export async function startServer(env: Record<string, string>): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start: ${out}`)), 30_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('READY')) {
        clearTimeout(timer);
        res();
      }
    });
    proc.once('exit', (c) => rej(new Error(`server exited ${c}: ${out}`)));
  });
  return proc;
}

/** Stops a process with `signal` and resolves when it has exited. */
export const stop = (proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
  new Promise<void>((res) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return res();
    proc.once('exit', () => res());
    proc.kill(signal);
  });

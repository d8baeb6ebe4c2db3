import type { CandorDocument } from '../../core/model/index.ts';
import { COMMANDS, type Backend, type Commands } from './backend.ts';

/**
 * A backend that answers from a stored snapshot until the real workspace has loaded, then hands
 * over: reads switch to the live document, listeners move across and hear one change, and commands
 * given meanwhile wait for it and resolve with what it stored (nothing is written to the snapshot).
 * Lets a page paint and take input before Yjs and zod have loaded.
 */
export function deferredBackend(initial: CandorDocument, ready: Promise<Backend>): Backend {
  let real: Backend | undefined;
  const listeners = new Map<() => void, (() => void) | undefined>();
  void ready.then(
    (backend) => {
      real = backend;
      for (const listener of listeners.keys()) listeners.set(listener, backend.subscribe(listener));
      for (const listener of listeners.keys()) listener();
    },
    () => undefined,
  );
  const live = async (): Promise<Backend> => real ?? ready;
  const commands = {} as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of COMMANDS) commands[name] = async (...args) => ((await live())[name] as (...a: unknown[]) => Promise<unknown>)(...args);
  return {
    ...(commands as unknown as Commands),
    current: () => real?.current() ?? initial,
    subscribe(listener) {
      listeners.set(listener, real?.subscribe(listener));
      return () => {
        listeners.get(listener)?.();
        listeners.delete(listener);
      };
    },
    spaces: () => real?.spaces?.() ?? new Map(),
    setMe: (me) => real?.setMe?.(me),
    close: () => real?.close(),
  };
}

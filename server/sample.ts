/**
 * No config given: serve the sample organisation, so `npm run server` works on a first try.
 * Seeded into storage on first start; its people get dev tokens kept (in the clear) in the
 * database's meta table — for trying Candor out only.
 */
import * as Y from 'yjs';
import { generateSampleOrganisation } from '../core/sample/index.ts';
import { documentToSpaces, materialise } from '../core/store/space.ts';
import { mintToken, sha256Hash } from './auth.ts';
import { parseConfig, type ServerConfig } from './config.ts';
import type { SpaceStorage } from './storage.ts';

export const DEV_TOKENS_KEY = 'dev-tokens';

export interface SampleSetup {
  config: ServerConfig;
  tokens: Map<string, string>;
  seeded: boolean;
}

/** The widgets demo page (`npm start`, `scripts/serve-demo.ts`): the one origin the sample server lets in. */
export const DEMO_ORIGINS = ['http://127.0.0.1:5173', 'http://localhost:5173'];

export function sampleSetup(storage: SpaceStorage, options: { people?: number; origins?: string[] } = {}): SampleSetup {
  let seeded = false;
  if (storage.isEmpty()) {
    const doc = generateSampleOrganisation({ people: options.people });
    for (const [space, ydoc] of documentToSpaces(doc)) {
      if (space.startsWith('private:')) continue; // never on a server
      storage.seed(space, ydoc);
    }
    seeded = true;
  }
  const company = new Y.Doc();
  storage.loadInto('company', company);
  const { document } = materialise([['company', company]]);
  let tokens: Record<string, string> = {};
  try {
    tokens = JSON.parse(storage.getMeta(DEV_TOKENS_KEY) ?? '{}') as Record<string, string>;
  } catch {
    tokens = {};
  }
  let minted = false;
  for (const p of document.people) {
    if (!tokens[p.id]) {
      tokens[p.id] = mintToken();
      minted = true;
    }
  }
  if (minted) storage.setMeta(DEV_TOKENS_KEY, JSON.stringify(tokens));
  const teamIds = new Set(document.teams.map((t) => t.id));
  const config = parseConfig({
    organisation: 'Northwind Labs (sample)',
    people: document.people.map((p) => ({
      id: p.id,
      name: p.name,
      ...(p.email ? { email: p.email } : {}),
      teamIds: p.teamIds.filter((t) => teamIds.has(t)),
      tokenHashes: [sha256Hash(tokens[p.id]!)],
    })),
    teams: document.teams.map((t) => ({ id: t.id, name: t.name, ...(t.parentId && teamIds.has(t.parentId) ? { parentId: t.parentId } : {}) })),
    admins: document.people.slice(0, 1).map((p) => p.id),
    // Not "*": a page on another site could otherwise read the sample organisation from a browser on
    // this machine. The demo page's own origin, and browser extensions (the default), are enough.
    allowedOrigins: options.origins ?? DEMO_ORIGINS,
    anonymousRead: true,
  });
  return { config, tokens: new Map(Object.entries(tokens)), seeded };
}

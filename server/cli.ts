/**
 * Small admin commands for the team server.
 *
 *   npx tsx server/cli.ts token <personId>                 mint a token (candor_<kid>_<secret>); print it and its sha256 hash
 *   npx tsx server/cli.ts token <personId> --secret S      a token around a secret someone chose; print it and its scrypt hash
 *   npx tsx server/cli.ts hash <token> [--scrypt]          print the config hash of an existing token
 *   npx tsx server/cli.ts jwt <personId> [--secret S] [--days N]   sign an HS256 JWT, 1 day by default (secret from CANDOR_JWT_SECRET)
 *   npx tsx server/cli.ts check <config.json>              validate a config file
 *   npx tsx server/cli.ts dev-tokens [--db file]           print the sample organisation's dev tokens
 */
import { resolve } from 'node:path';
import { keyIdOf, mintToken, scryptHash, sha256Hash, signJwt, tokenWithSecret } from './auth.ts';
import { CandorConfigError, loadConfig } from './config.ts';
import { DEV_TOKENS_KEY } from './sample.ts';
import { SpaceStorage } from './storage.ts';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'token': {
      const person = args[0];
      if (!person || person.startsWith('--')) return usage('token needs a person id');
      const chosen = flag(args, 'secret');
      if (chosen !== undefined && !/^[\x21-\x7e]{12,}$/.test(chosen)) return usage('a chosen secret needs at least 12 printable characters and no spaces (it travels in headers and URLs)');
      // A minted token has 256 random bits: SHA-256 is enough. A chosen secret has fewer: scrypt.
      const token = chosen === undefined ? mintToken() : tokenWithSecret(chosen);
      const hash = chosen === undefined ? sha256Hash(token) : await scryptHash(token);
      console.log(`token for ${person}, key id ${keyIdOf(token)} (give it to them; it is shown once):\n  ${token}`);
      console.log(`add to people[id="${person}"].tokenHashes in the config:\n  "${hash}"`);
      return 0;
    }
    case 'hash': {
      const token = args.find((a) => !a.startsWith('--'));
      if (!token) return usage('hash needs a token');
      if (!args.includes('--scrypt')) {
        console.log(sha256Hash(token));
        return 0;
      }
      if (!keyIdOf(token)) return usage('an scrypt hash needs a token with a key id (candor_<kid>_<secret>); mint one with `token <person> --secret S`');
      console.log(await scryptHash(token));
      return 0;
    }
    case 'jwt': {
      const person = args[0];
      const secret = flag(args, 'secret') ?? process.env.CANDOR_JWT_SECRET;
      if (!person) return usage('jwt needs a person id');
      if (!secret || secret.length < 32) return usage('jwt needs a secret of at least 32 characters (--secret or CANDOR_JWT_SECRET)');
      // The server refuses JWTs that live longer than authentication.jwt.maxLifetimeSeconds (one day by default).
      const days = Number(flag(args, 'days') ?? 1);
      if (!(days > 0)) return usage('--days needs a positive number');
      const now = Math.floor(Date.now() / 1000);
      console.log(signJwt({ sub: person, iat: now, nbf: now, exp: now + Math.round(days * 86400) }, secret));
      return 0;
    }
    case 'check': {
      if (!args[0]) return usage('check needs a config file');
      try {
        const config = loadConfig(args[0]);
        console.log(`ok: "${config.organisation}", ${config.people.length} people, ${config.teams.length} teams, ${config.admins.length} admins`);
        return 0;
      } catch (e) {
        if (!(e instanceof CandorConfigError)) throw e;
        console.error(e.message);
        for (const issue of e.issues) console.error(`  ${issue.path || '(file)'}: ${issue.message}`);
        return 2;
      }
    }
    case 'dev-tokens': {
      const storage = new SpaceStorage(resolve(flag(args, 'db') ?? process.env.CANDOR_DB ?? 'candor-server.sqlite'));
      const tokens = JSON.parse(storage.getMeta(DEV_TOKENS_KEY) ?? '{}') as Record<string, string>;
      storage.close();
      for (const [person, token] of Object.entries(tokens)) console.log(`${person}\t${token}`);
      return Object.keys(tokens).length ? 0 : 1;
    }
    default:
      return usage(command ? `unknown command "${command}"` : '');
  }
}

function usage(problem: string): number {
  if (problem) console.error(problem);
  console.error('usage: npx tsx server/cli.ts token <person> [--secret S] | hash <token> [--scrypt] | jwt <person> [--secret S] [--days N] | check <config.json> | dev-tokens [--db file]');
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/cli.ts')) process.exit(await main(process.argv.slice(2)));

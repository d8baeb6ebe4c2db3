// The server's config, authentication and authorisation rules, in process (no sockets).
import { describe, expect, it } from 'vitest';
import { Authenticator, CandorAuthError, mintToken, scryptHash, sha256Hash, signJwt, tokenWithSecret, verifyJwt } from '../../server/auth.ts';
import { CandorConfigError, parseConfig } from '../../server/config.ts';
import { Organisation, viewOf } from '../../server/policy.ts';
import { RateLimiter } from '../../server/limits.ts';
import { materialise, documentToSpaces } from '../../core/store/space.ts';
import { testConfig, testDocument, TOKENS } from './harness.ts';
import { main as cli } from '../../server/cli.ts';

const SECRET = 'a-shared-secret-that-is-long-enough-1234';

function configError(input: unknown): CandorConfigError {
  try {
    parseConfig(input, 'org.json');
  } catch (e) {
    if (e instanceof CandorConfigError) return e;
    throw e;
  }
  throw new Error('expected the config to be refused');
}

describe('server config', () => {
  it('accepts the example config shape and fills defaults', () => {
    const config = parseConfig(testConfig());
    expect(config.limits).toEqual({
      maxUpdateBytes: 1_048_576,
      maxSpacesPerConnection: 200,
      connectionsPerMinute: 60,
      authFailuresPerMinute: 30,
      authFailuresPerSocket: 5,
      authTimeoutMs: 10_000,
      preAuthBytes: 16_384,
      writesPerMinute: 60,
      maxBodyBytes: 65_536,
    });
    expect(config.authentication.tokens).toBe(true);
    expect(config.teams[0]!.visibility).toBe('public');
  });

  it('names the path of every problem', () => {
    const base = testConfig() as { people: Record<string, unknown>[]; teams: Record<string, unknown>[] };
    const e = configError({
      ...base,
      people: [{ ...base.people[0], tokenHashes: ['md5:abc'] }, { ...base.people[1], teamIds: ['nope'] }, base.people[2], base.people[3]],
      admins: ['zed'],
      allowedOrigins: ['https://intranet.example.com/path'],
      limits: { maxUpdateBytes: 10 },
    });
    const paths = e.issues.map((i) => i.path);
    expect(paths).toContain('people[0].tokenHashes[0]');
    expect(paths).toContain('allowedOrigins[0]');
    expect(paths).toContain('limits.maxUpdateBytes');
    expect(e.message).toMatch(/^org\.json: invalid Candor server config: /);
    // Reference checks run once the shapes are right.
    const refs = configError({ ...base, people: [{ ...base.people[0] }, { ...base.people[1], teamIds: ['nope'] }, base.people[2], base.people[0]], admins: ['zed'] });
    expect(refs.issues.map((i) => `${i.path}: ${i.message}`)).toEqual(
      expect.arrayContaining([
        'people[1].teamIds[0]: no team with id "nope"',
        'people[3].id: duplicate person id "alice"',
        'admins[0]: no person with id "zed"',
      ]),
    );
    expect(configError({ people: [] }).issues[0]).toMatchObject({ path: 'people' });
    expect(configError({ ...base, authentication: { tokens: true, jwt: { secret: 'short' } } }).issues[0]).toMatchObject({ path: 'authentication.jwt.secret' });
  });

  it('the CLI mints a token whose printed hash the server accepts (sha256, or scrypt for a chosen secret)', async () => {
    const run = async (args: string[]) => {
      const lines: string[] = [];
      const log = console.log;
      console.log = (line: string) => lines.push(line);
      try {
        expect(await cli(args)).toBe(0);
      } finally {
        console.log = log;
      }
      return lines.join('\n');
    };
    for (const [args, kind] of [[['token', 'alice'], 'sha256'], [['token', 'alice', '--secret', 'correct-horse-battery-staple'], 'scrypt']] as const) {
      const out = await run([...args]);
      const token = /candor_[0-9a-f]+_\S+/.exec(out)![0];
      const hash = /"((?:sha256|scrypt):[0-9a-f:]+)"/.exec(out)![1]!;
      expect(hash.startsWith(`${kind}:`)).toBe(true);
      const config = parseConfig({ ...testConfig(), people: [{ id: 'alice', name: 'Alice', tokenHashes: [hash] }], teams: [], admins: [] });
      expect(await new Authenticator(config).authenticate(token)).toBe('alice');
    }
  });
});

describe('authentication', () => {
  const config = parseConfig(testConfig({ authentication: { tokens: true, jwt: { secret: SECRET, issuer: 'sso' } } }));
  const auth = new Authenticator(config);

  it('knows people by hashed tokens, sha-256 or scrypt', async () => {
    expect(await auth.authenticate(TOKENS.alice)).toBe('alice');
    await expect(auth.authenticate('candor_nope')).rejects.toThrow(CandorAuthError);
    await expect(auth.authenticate('')).rejects.toThrow(/no-token/);
    const chosen = tokenWithSecret('correct-horse-battery-staple');
    const withScrypt = new Authenticator(parseConfig({ ...testConfig(), people: [{ id: 'p', name: 'P', tokenHashes: [await scryptHash(chosen)] }], teams: [], admins: [] }));
    expect(await withScrypt.authenticate(chosen)).toBe('p');
    await expect(withScrypt.authenticate(chosen.replace('correct', 'wrong'))).rejects.toThrow(/invalid-token/);
    expect(mintToken()).toMatch(/^candor_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(sha256Hash('x')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('verifies HS256 JWTs: signature, exp, nbf, issuer, algorithm', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await auth.authenticate(signJwt({ sub: 'bob', iss: 'sso', exp: now + 60 }, SECRET))).toBe('bob');
    await expect(auth.authenticate(signJwt({ sub: 'bob', iss: 'sso', exp: now - 120 }, SECRET))).rejects.toThrow(/expired/);
    const exp = now + 600;
    await expect(auth.authenticate(signJwt({ sub: 'bob', iss: 'sso', nbf: now + 120, exp }, SECRET))).rejects.toThrow(/not valid yet/);
    await expect(auth.authenticate(signJwt({ sub: 'bob', iss: 'other', exp }, SECRET))).rejects.toThrow(/issuer/);
    await expect(auth.authenticate(signJwt({ sub: 'bob', iss: 'sso', exp }, SECRET.replace('a', 'b')))).rejects.toThrow(/signature/);
    await expect(auth.authenticate(signJwt({ sub: 'mallory', iss: 'sso', exp }, SECRET))).rejects.toThrow(/unknown-person/);
    await expect(auth.authenticate(signJwt({ sub: 'bob', iss: 'sso' }, SECRET))).rejects.toThrow(/no expiry/);
    const [, body] = signJwt({ sub: 'bob', iss: 'sso' }, SECRET).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${body}.`;
    expect(() => verifyJwt(none, { secret: SECRET })).toThrow(/HS256/);
    // Within the clock skew is fine.
    expect(verifyJwt(signJwt({ sub: 'bob', exp: now - 10 }, SECRET), { secret: SECRET, clockSkewSeconds: 30 }).sub).toBe('bob');
  });
});

describe('authorisation', () => {
  const org = new Organisation(parseConfig(testConfig()));

  it('opens what the record rule lets a person read; refuses the rest', () => {
    const a = (who: string, space: string) => {
      const r = org.access(who, space);
      return 'access' in r ? 'open' : `refused ${r.refused.split(':')[0]}`;
    };
    // Every reader may write there (a comment, kudos, their own check-in): the update check admits each record.
    expect(a('alice', 'person:alice')).toBe('open');
    expect(a('bob', 'person:alice')).toBe('open'); // teammate
    expect(a('carol', 'person:alice')).toBe('refused forbidden');
    expect(a('alice', 'team:team-a')).toBe('open');
    expect(a('carol', 'team:team-a')).toBe('open'); // public team
    expect(a('alice', 'members:team-a')).toBe('open');
    expect(a('carol', 'members:team-a')).toBe('refused forbidden'); // team-visible objectives: members only
    expect(a('alice', 'team:team-b')).toBe('refused forbidden'); // members-only
    expect(a('carol', 'team:team-b')).toBe('open');
    expect(a('dave', 'company')).toBe('open');
    expect(a('alice', 'company')).toBe('open');
    expect(a('alice', 'private:alice')).toBe('refused private-space');
    expect(a('alice', 'person:nobody')).toBe('refused unknown-space');
    expect(a('alice', 'members:nowhere')).toBe('refused unknown-space');
    expect(a('alice', 'elsewhere')).toBe('refused unknown-space');
    expect(org.spacesOf('bob').map((s) => s.space)).toEqual(['company', 'team:team-a', 'members:team-a', 'person:alice', 'person:bob']);
  });

  it('counts a record only in the space it belongs to', () => {
    const doc = testDocument();
    const spaces = documentToSpaces(doc);
    // bob writes an objective in his own space that claims to be the company's: it is not shown.
    const forged = documentToSpaces({ ...doc, objectives: [{ ...doc.objectives.find((o) => o.id === 'company-public')!, id: 'fake-company' }], keyResults: [] }).get('company')!;
    spaces.set('person:bob', forged);
    const full = materialise(spaces, { directory: org.directory }).document;
    const view = viewOf(full, { kind: 'person', id: 'carol' }, org);
    expect(view.objectives.map((o) => o.id)).not.toContain('fake-company');
    expect(view.objectives.map((o) => o.id)).toContain('company-public');
  });
});

describe('rate limiter', () => {
  it('allows a burst, then says how long to wait, then refills', () => {
    const r = new RateLimiter(3);
    expect([r.take('t', 0), r.take('t', 0), r.take('t', 0)]).toEqual([0, 0, 0]);
    expect(r.take('t', 0)).toBeGreaterThan(0);
    expect(r.take('other', 0)).toBe(0);
    expect(r.take('t', 20_000)).toBe(0);
  });
});

describe('server process with a bad config', () => {
  it('exits with the path of each problem', async () => {
    const { spawnSync } = await import('node:child_process');
    const { tempDir, ROOT } = await import('./harness.ts');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const tmp = tempDir();
    try {
      const path = join(tmp.dir, 'bad.json');
      writeFileSync(path, JSON.stringify({ people: [{ id: 'a', name: 'A', teamIds: ['ghost'] }], anonymousRead: 'yes' }));
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts')], {
        cwd: ROOT,
        env: { ...process.env, CANDOR_CONFIG: path, CANDOR_DB: join(tmp.dir, 'x.sqlite'), PORT: '0' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/bad\.json: invalid Candor server config/);
      expect(run.stderr).toMatch(/anonymousRead: /);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('view serialisation', () => {
  it('writes exactly what JSON.stringify writes, reusing record text across renders', async () => {
    const { serialise } = await import('../../server/views.ts');
    const { generateSampleOrganisation } = await import('../../core/sample/index.ts');
    const doc = generateSampleOrganisation({ people: 12 });
    expect(serialise(doc)).toBe(JSON.stringify(doc));
    const next = { ...doc, checkIns: [...doc.checkIns, { ...doc.checkIns[0]!, id: 'new-one', value: 3 }] };
    expect(serialise(next)).toBe(JSON.stringify(next));
  });
});

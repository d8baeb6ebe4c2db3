/**
 * `npm run server`: the Candor team server.
 *
 * Environment: PORT (8787), HOST (127.0.0.1), CANDOR_CONFIG (organisation config JSON; without it the
 * sample organisation is served), CANDOR_DB (SQLite file, default ./candor-server.sqlite),
 * REDIS_URL (share updates with other instances; CANDOR_REDIS_RETRY_MAX_MS, CANDOR_REDIS_PING_MS,
 * CANDOR_REDIS_STARTUP_WAIT_MS tune it), CANDOR_SAMPLE_ORIGINS (the sample's allowed page
 * origins, comma-separated; default the demo page's, http://127.0.0.1:5173 and http://localhost:5173).
 */
import { resolve } from 'node:path';
import { CandorServer } from './app.ts';
import { CandorConfigError, loadConfig, type ServerConfig } from './config.ts';
import { sampleSetup } from './sample.ts';
import { SpaceStorage } from './storage.ts';

// The backstop: a promise nobody handled is a bug (every Redis path handles its own failures), but
// one such bug must not end a server that holds everyone's connections. Said loudly, on stderr, with
// the stack; the tests fail on this line.
process.on('unhandledRejection', (reason) => {
  const detail = reason instanceof Error ? (reason.stack ?? `${reason.name}: ${reason.message}`) : String(reason);
  console.error(`UNHANDLED REJECTION (a bug in the Candor server or a library; the server keeps running — please report it): ${detail}`);
});

const env = process.env;
const numberOf = (name: string): number | undefined => {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`${name} must be a number of milliseconds, not ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
};
const port = Number(env.PORT ?? 8787);
const host = env.HOST ?? '127.0.0.1';
const dbPath = resolve(env.CANDOR_DB ?? 'candor-server.sqlite');

let config: ServerConfig;
let sampleTokens: Map<string, string> | undefined;
let storage: SpaceStorage;
try {
  storage = new SpaceStorage(dbPath);
  if (env.CANDOR_CONFIG) {
    config = loadConfig(env.CANDOR_CONFIG);
  } else {
    // CANDOR_SAMPLE_ORIGINS: the demo page's origins, comma-separated (`npm start` passes its port).
    const origins = env.CANDOR_SAMPLE_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean);
    const sample = sampleSetup(storage, origins?.length ? { origins } : {});
    config = sample.config;
    sampleTokens = sample.tokens;
    if (sample.seeded) console.log(`Seeded the sample organisation into ${dbPath}`);
  }
} catch (e) {
  if (e instanceof CandorConfigError) {
    console.error(e.message);
    for (const issue of e.issues) console.error(`  ${issue.path || '(file)'}: ${issue.message}`);
  } else console.error(`candor server: ${(e as Error).message}`);
  process.exit(2);
}

const server = new CandorServer({
  config,
  storage,
  port,
  host,
  redisUrl: env.REDIS_URL || undefined,
  redis: {
    retryMaxMs: numberOf('CANDOR_REDIS_RETRY_MAX_MS'),
    pingMs: numberOf('CANDOR_REDIS_PING_MS'),
    startupWaitMs: numberOf('CANDOR_REDIS_STARTUP_WAIT_MS'),
  },
  changeDebounceMs: env.CANDOR_CHANGE_DEBOUNCE_MS ? Number(env.CANDOR_CHANGE_DEBOUNCE_MS) : undefined,
  heartbeatMs: env.CANDOR_HEARTBEAT_MS ? Number(env.CANDOR_HEARTBEAT_MS) : undefined,
  unsafeNoUpdateCheck: env.CANDOR_UNSAFE_NO_UPDATE_CHECK === '1',
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: saving every space to ${dbPath}…`);
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  try {
    await server.close();
    console.log('saved; bye');
    process.exit(0);
  } catch (e) {
    console.error(`shutdown failed: ${(e as Error).message}`);
    process.exit(1);
  }
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  const { port: bound } = await server.listen();
  const base = `${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${bound}`;
  console.log(`Candor team server for "${config.organisation}" listening on http://${base} (WebSocket ws://${base})`);
  const redis = server.relay ? `, Redis ${server.relay.address} (${server.relay.isConnected ? 'connected' : 'not reachable yet: degraded'})` : '';
  console.log(`  storage ${dbPath}${redis}; ${server.org.spaces().length} spaces loaded`);
  console.log(`  GET http://${base}/v1/document · GET http://${base}/v1/events · GET http://${base}/healthz`);
  if (sampleTokens) {
    console.log('\nSample organisation (no CANDOR_CONFIG). Dev tokens — connect the extension with the server URL and one of them:');
    const shown = config.people.slice(0, 4);
    for (const p of shown) {
      const admin = config.admins.includes(p.id) ? ' (admin)' : '';
      console.log(`  ${p.id}${admin}: ${sampleTokens.get(p.id)}`);
    }
    console.log(`  (${config.people.length - shown.length} more: npx tsx server/cli.ts dev-tokens --db ${dbPath})`);
    console.log(`  try: curl -H "Authorization: Bearer ${sampleTokens.get(shown[0]!.id)}" http://${base}/v1/document`);
  }
  console.log('READY'); // tests wait for this line
} catch (e) {
  console.error(`candor server could not start: ${(e as Error).message}`);
  process.exit(1);
}

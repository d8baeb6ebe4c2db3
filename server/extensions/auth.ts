/**
 * Authentication and access: who is asking (a token or a JWT), what they may do with the space they
 * open (read, write, or nothing), and the limits that go with signing in: failed sign-ins per remote
 * address and per connection, new connections per token per minute, spaces per connection. Also the
 * WebSocket upgrade's `Origin` check.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Extension, onAuthenticatePayload, onDisconnectPayload, onUpgradePayload } from '@hocuspocus/server';
import { CandorAuthError, CandorRateLimitError, type Authenticator } from '../auth.ts';
import type { ServerConfig } from '../config.ts';
import { addressKey, Bucket, RateLimiter } from '../limits.ts';
import { originAllowed, SECURITY_HEADERS } from '../http.ts';
import type { Organisation } from '../policy.ts';

/** Who is signing in: the remote address and the connection (a WebSocket's request, an HTTP socket). */
export interface Peer {
  address: string | undefined;
  /** An object that lives as long as the connection: per-connection state is kept in a WeakMap. */
  connection: object;
}

type Verdict = { person: string; until?: number } | CandorAuthError | Promise<string>;

interface ConnectionState {
  failures: Bucket;
  /** The verdict each token (by digest) got on this connection: a connection signs in once per space. */
  verdicts: Map<string, Verdict>;
}

const MAX_VERDICTS_PER_CONNECTION = 64;

/**
 * Sign-in with failure budgets. Each remote address and each connection has a token bucket of failed
 * sign-ins; when either is empty, a sign-in is refused without being checked (`rate-limited: … retry
 * in N s`), so a burst of bad tokens costs the server nothing but the refusal. A check that needs
 * scrypt reserves a failure before it starts (given back on success), so concurrent slow checks from
 * one address never exceed its budget. A token that already signed in on a connection is not checked
 * again there (a connection signs in once per space).
 */
export class SignIn {
  private readonly byAddress: RateLimiter;
  private readonly connections = new WeakMap<object, ConnectionState>();

  constructor(
    private readonly auth: Authenticator,
    private readonly limits: ServerConfig['limits'],
  ) {
    this.byAddress = new RateLimiter(limits.authFailuresPerMinute, { maxKeys: 10_000 });
  }

  private stateOf(connection: object): ConnectionState {
    let state = this.connections.get(connection);
    if (!state) {
      const n = this.limits.authFailuresPerSocket;
      this.connections.set(connection, (state = { failures: new Bucket(n, n, Date.now()), verdicts: new Map() }));
    }
    return state;
  }

  /** The person a token belongs to; rejects with {@link CandorAuthError} (or {@link CandorRateLimitError}). */
  async signIn(token: string | null | undefined, peer: Peer): Promise<string> {
    if (!token) return this.auth.authenticate(token); // no-token: not a guess, not counted
    const state = this.stateOf(peer.connection);
    const digest = createHash('sha256').update(token, 'utf8').digest('base64url');
    const known = state.verdicts.get(digest);
    if (known instanceof CandorAuthError) throw known;
    if (known instanceof Promise) return known;
    if (known && (known.until === undefined || Date.now() < known.until)) return known.person;
    if (known) state.verdicts.delete(digest);

    const now = Date.now();
    const address = addressKey(peer.address);
    const fromAddress = this.byAddress.wait(address, now);
    const onConnection = state.failures.wait(now);
    if (fromAddress > 0 || onConnection > 0) {
      const reason =
        fromAddress >= onConnection
          ? `rate-limited: too many failed sign-ins from this address; retry in ${fromAddress} s`
          : `rate-limited: too many failed sign-ins on this connection; retry in ${onConnection} s`;
      throw new CandorRateLimitError(reason, Math.max(fromAddress, onConnection));
    }
    const remember = (verdict: Verdict) => {
      if (state.verdicts.size < MAX_VERDICTS_PER_CONNECTION || state.verdicts.has(digest)) state.verdicts.set(digest, verdict);
    };

    const quick = this.auth.quick(token);
    if (quick) {
      if ('person' in quick) {
        remember(quick);
        return quick.person;
      }
      this.byAddress.take(address, now);
      state.failures.take(now);
      remember(quick.error);
      throw quick.error;
    }
    // scrypt: reserve a failure now, give it back if the token is good.
    this.byAddress.take(address, now);
    state.failures.take(now);
    const check = this.auth.slow(token).then(
      (person) => {
        this.byAddress.give(address);
        state.failures.give(Date.now());
        // A token that expires (an identity provider's JWT) signs this connection in until then only.
        remember({ person, until: (this.auth as { expiryOf?: (t: string) => number | undefined }).expiryOf?.(token) });
        return person;
      },
      (e: unknown) => {
        if (e instanceof CandorRateLimitError) {
          // The server was too busy to check: not this token's failure, and worth a retry.
          this.byAddress.give(address);
          state.failures.give(Date.now());
          state.verdicts.delete(digest);
          throw e;
        }
        const error = e instanceof CandorAuthError ? e : new CandorAuthError('invalid-token');
        remember(error);
        throw error;
      },
    );
    remember(check);
    return check;
  }
}

export interface AuthExtensionOptions {
  org: Organisation;
  signIn: SignIn;
  limits: ServerConfig['limits'];
  /** Told when a space is refused on a connection (Hocuspocus never reads that space there again). */
  onRefused?: (request: IncomingMessage, space: string) => void;
}

export class AuthExtension implements Extension {
  readonly extensionName = 'candor-auth';
  private readonly rate: RateLimiter;
  /** Spaces open on each WebSocket, for the per-connection limit. */
  private readonly socketSpaces = new Map<string, Set<string>>();

  constructor(private readonly options: AuthExtensionOptions) {
    this.rate = new RateLimiter(options.limits.connectionsPerMinute);
  }

  /**
   * A browser sends `Origin` with a WebSocket upgrade (and cannot forge it): refuse pages that are not
   * allowed, as CORS does for `/v1/*`. Clients that are not browsers send none and are not affected.
   */
  async onUpgrade({ request, socket }: onUpgradePayload): Promise<void> {
    const origin = request.headers.origin;
    if (origin === undefined || originAllowed(this.options.org.config, origin)) return;
    const body = JSON.stringify({ error: 'origin-not-allowed', message: `origin ${origin} is not in this server's allowedOrigins` });
    const headers = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...SECURITY_HEADERS };
    socket.end(`HTTP/1.1 403 Forbidden\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${body}`);
    throw null; // answered: Hocuspocus does not upgrade
  }

  async onAuthenticate(payload: onAuthenticatePayload): Promise<{ personId: string; access: 'read' | 'write' }> {
    try {
      return await this.authorise(payload);
    } catch (e) {
      this.options.onRefused?.(payload.request, payload.documentName);
      throw e instanceof CandorAuthError ? e : new CandorAuthError('invalid-token');
    }
  }

  private async authorise({ token, documentName, connectionConfig, socketId, request }: onAuthenticatePayload): Promise<{ personId: string; access: 'read' | 'write' }> {
    const { org, signIn, limits } = this.options;
    const personId = await signIn.signIn(token, { address: request.socket?.remoteAddress, connection: request });
    const access = org.access(personId, documentName);
    if ('refused' in access) throw new CandorAuthError(access.refused);
    let open = this.socketSpaces.get(socketId);
    if (!open) {
      const wait = this.rate.take(createHash('sha256').update(token).digest('hex'));
      if (wait > 0) throw new CandorAuthError(`rate-limited: more than ${limits.connectionsPerMinute} new connections a minute with this token; retry in ${wait} s`);
      this.socketSpaces.set(socketId, (open = new Set()));
    }
    if (!open.has(documentName) && open.size >= limits.maxSpacesPerConnection) {
      throw new CandorAuthError(`too-many-spaces: one connection may open at most ${limits.maxSpacesPerConnection} spaces`);
    }
    open.add(documentName);
    connectionConfig.readOnly = access.access === 'read';
    return { personId, access: access.access };
  }

  async onDisconnect({ socketId, documentName }: onDisconnectPayload): Promise<void> {
    const open = this.socketSpaces.get(socketId);
    open?.delete(documentName);
    if (open && open.size === 0) this.socketSpaces.delete(socketId);
  }
}

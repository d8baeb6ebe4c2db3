/**
 * Authentication and access: who is asking (a token or a JWT), what they may do with the space they
 * open (read, write, or nothing), and the limits that go with a sign-in: new connections per token
 * per minute, spaces per connection.
 */
import { createHash } from 'node:crypto';
import type { Extension, onAuthenticatePayload, onDisconnectPayload } from '@hocuspocus/server';
import { CandorAuthError, type Authenticator } from '../auth.ts';
import type { ServerConfig } from '../config.ts';
import { RateLimiter } from '../limits.ts';
import type { Organisation } from '../policy.ts';

export interface AuthExtensionOptions {
  org: Organisation;
  auth: Authenticator;
  limits: ServerConfig['limits'];
}

export class AuthExtension implements Extension {
  readonly extensionName = 'candor-auth';
  private readonly rate: RateLimiter;
  /** Spaces open on each WebSocket, for the per-connection limit. */
  private readonly socketSpaces = new Map<string, Set<string>>();

  constructor(private readonly options: AuthExtensionOptions) {
    this.rate = new RateLimiter(options.limits.connectionsPerMinute);
  }

  async onAuthenticate({ token, documentName, connectionConfig, socketId }: onAuthenticatePayload): Promise<{ personId: string; access: 'read' | 'write' }> {
    const { org, auth, limits } = this.options;
    let personId: string;
    try {
      personId = await auth.authenticate(token);
    } catch (e) {
      throw e instanceof CandorAuthError ? e : new CandorAuthError('invalid-token');
    }
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

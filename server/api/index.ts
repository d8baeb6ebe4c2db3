/**
 * The HTTP write API, sign-in with the identity provider, OpenAPI and embeds, put together for
 * `CandorServer` (server/app.ts): one call, so app.ts only wires it in.
 */
import type { IncomingMessage } from 'node:http';
import Database from 'better-sqlite3';
import type * as Y from 'yjs';
import type { RecordChange } from '../../core/store/update-check.ts';
import type { SpaceId } from '../../core/rules/index.ts';
import { Authenticator } from '../auth.ts';
import type { ServerConfig } from '../config.ts';
import type { SignIn } from '../extensions/auth.ts';
import type { Organisation } from '../policy.ts';
import type { OrgViews } from '../views.ts';
import { OidcAuthenticator, OidcSignIn } from '../auth/oidc.ts';
import { SessionStore } from '../auth/session.ts';
import { IdempotencyStore } from './idempotency.ts';
import { openApiDocument } from './openapi.ts';
import { ApiRoutes, credentialsAllowed, ownOrigin } from './routes.ts';
import { WriteApi } from './write.ts';

/** The server's authenticator: with the identity provider's JWTs when `authentication.oidc` is set. */
export function createAuthenticator(config: ServerConfig): { auth: Authenticator; oidc?: OidcSignIn } {
  const settings = config.authentication.oidc;
  if (!settings) return { auth: new Authenticator(config) };
  const oidc = new OidcSignIn(settings, config.people);
  return { auth: new OidcAuthenticator(config, oidc), oidc };
}

export interface ApiOptions {
  config: ServerConfig;
  org: Organisation;
  signIn: SignIn;
  views: OrgViews;
  oidc?: OidcSignIn;
  /** The server's SQLite file: sessions, code flows and idempotency keys are kept beside the spaces. */
  storagePath: string;
  doc: (space: SpaceId) => Y.Doc | undefined;
  spaces: () => Iterable<[SpaceId, Y.Doc]>;
  recordHistory: (space: SpaceId, person: string, changes: RecordChange[]) => void;
  log?: (line: string) => void;
}

export interface Api {
  routes: ApiRoutes;
  sessionPerson(req: IncomingMessage): string | undefined;
  credentialsAllowed(req: IncomingMessage, origin: string): boolean;
  close(): void;
}

export function createApi(options: ApiOptions): Api {
  const db = new Database(options.storagePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const write = new WriteApi({ org: options.org, doc: options.doc, spaces: options.spaces, recordHistory: options.recordHistory });
  const routes = new ApiRoutes({
    config: options.config,
    org: options.org,
    signIn: options.signIn,
    views: options.views,
    write,
    idempotency: new IdempotencyStore(db),
    sessions: new SessionStore(db),
    ...(options.oidc ? { oidc: options.oidc } : {}),
    openapi: openApiDocument,
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    routes,
    sessionPerson: (req) => routes.sessionOf(req)?.session.personId,
    credentialsAllowed: (req, origin) => credentialsAllowed(options.config, origin, ownOrigin(options.config, req)),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/**
 * Browser sessions after signing in with the identity provider: a random 256-bit session id in an
 * HttpOnly cookie, kept server-side (SQLite, hashed: a copy of the database signs nobody in) with the
 * person, a CSRF token and an expiry; and the short-lived state of code flows under way (PKCE
 * verifier, nonce, where to return), bound to the browser that started them by a cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type Database from 'better-sqlite3';

export interface Session {
  personId: string;
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface Flow {
  verifier: string;
  nonce: string;
  returnTo: string;
  redirectUri: string;
  createdAt: number;
}

export interface CookieOptions {
  name: string;
  secure: boolean;
  sameSite: 'None' | 'Lax' | 'Strict';
}

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** How long a code flow may take (provider login included). */
export const FLOW_SECONDS = 600;
/** Most code flows under way at once (a flood of /auth/login cannot fill the disk). */
const MAX_FLOWS = 10_000;

export class SessionStore {
  private readonly stmt;
  private prunedAt = 0;

  constructor(
    db: Database.Database,
    private readonly now: () => number = Date.now,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS auth_sessions (id TEXT PRIMARY KEY, person TEXT NOT NULL, csrf TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS auth_sessions_expiry ON auth_sessions (expires_at);
      CREATE TABLE IF NOT EXISTS auth_flows (state TEXT PRIMARY KEY, verifier TEXT NOT NULL, nonce TEXT NOT NULL, return_to TEXT NOT NULL, redirect_uri TEXT NOT NULL, created_at INTEGER NOT NULL);`);
    this.stmt = {
      putSession: db.prepare<[string, string, string, number, number]>('INSERT INTO auth_sessions (id, person, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      getSession: db.prepare<[string], { person: string; csrf: string; created_at: number; expires_at: number }>('SELECT person, csrf, created_at, expires_at FROM auth_sessions WHERE id = ?'),
      dropSession: db.prepare<[string]>('DELETE FROM auth_sessions WHERE id = ?'),
      expireSessions: db.prepare<[number]>('DELETE FROM auth_sessions WHERE expires_at < ?'),
      putFlow: db.prepare<[string, string, string, string, string, number]>('INSERT INTO auth_flows (state, verifier, nonce, return_to, redirect_uri, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      takeFlow: db.prepare<[string], { verifier: string; nonce: string; return_to: string; redirect_uri: string; created_at: number }>(
        'DELETE FROM auth_flows WHERE state = ? RETURNING verifier, nonce, return_to, redirect_uri, created_at',
      ),
      countFlows: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM auth_flows'),
      expireFlows: db.prepare<[number]>('DELETE FROM auth_flows WHERE created_at < ?'),
    };
  }

  /** A new session for a person; returns the cookie value (the only copy of the id) and the session. */
  create(personId: string, seconds: number): { id: string; session: Session } {
    this.prune();
    const id = randomToken();
    const now = this.now();
    const session: Session = { personId, csrfToken: randomToken(), createdAt: now, expiresAt: now + seconds * 1000 };
    this.stmt.putSession.run(hash(id), personId, session.csrfToken, now, session.expiresAt);
    return { id, session };
  }

  /** The live session a cookie value names; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const row = this.stmt.getSession.get(hash(id));
    if (!row) return undefined;
    if (row.expires_at <= this.now()) {
      this.stmt.dropSession.run(hash(id));
      return undefined;
    }
    return { personId: row.person, csrfToken: row.csrf, createdAt: row.created_at, expiresAt: row.expires_at };
  }

  /** Ends a session (sign-out). */
  drop(id: string | undefined): void {
    if (id) this.stmt.dropSession.run(hash(id));
  }

  /** Starts a code flow; returns its `state` (also the value of the flow cookie), or undefined when too many are under way. */
  startFlow(flow: Omit<Flow, 'createdAt'>): string | undefined {
    this.prune();
    if (this.stmt.countFlows.get()!.n >= MAX_FLOWS) return undefined;
    const state = randomToken();
    this.stmt.putFlow.run(hash(state), flow.verifier, flow.nonce, flow.returnTo, flow.redirectUri, this.now());
    return state;
  }

  /** Takes a flow once (a second callback with the same state finds nothing); undefined when unknown or too old. */
  takeFlow(state: string): Flow | undefined {
    if (!state || state.length > 100) return undefined;
    const row = this.stmt.takeFlow.get(hash(state));
    if (!row || row.created_at < this.now() - FLOW_SECONDS * 1000) return undefined;
    return { verifier: row.verifier, nonce: row.nonce, returnTo: row.return_to, redirectUri: row.redirect_uri, createdAt: row.created_at };
  }

  private prune(): void {
    const now = this.now();
    if (now - this.prunedAt < 60_000) return;
    this.prunedAt = now;
    this.stmt.expireSessions.run(now);
    this.stmt.expireFlows.run(now - FLOW_SECONDS * 1000);
  }
}

/** Constant-time comparison of two tokens. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The cookies of a request, by name (the first of each name). */
export function cookiesOf(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out.set(name, decodeURIComponent(value));
    } catch {
      // not ours
    }
  }
  return out;
}

/** A `Set-Cookie` value. `maxAge` 0 clears the cookie. */
export function setCookie(options: CookieOptions, value: string, maxAgeSeconds: number): string {
  const parts = [`${options.name}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', `SameSite=${options.sameSite}`, `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

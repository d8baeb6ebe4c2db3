/**
 * Errors of the HTTP write API as `application/problem+json` (RFC 9457): `type`, `title`, `status`,
 * `detail`, and `errors: [{ path, message }]` naming each field in words a person understands.
 */
import type { ServerResponse } from 'node:http';

export interface FieldError {
  /** The field of the request body (`keyResultId`, `target.id`, `milestonesDone[1]`), or '' for the whole body. */
  path: string;
  message: string;
}

/** Problem types: `urn:candor:problem:<slug>` (stable identifiers; the title says what each means). */
export const PROBLEMS = {
  'invalid-json': { status: 400, title: 'The request body is not valid JSON' },
  'invalid-idempotency-key': { status: 400, title: 'The Idempotency-Key header is not usable' },
  unauthenticated: { status: 401, title: 'Sign in first' },
  forbidden: { status: 403, title: 'The record rule does not let you write this' },
  'not-author': { status: 403, title: 'Only its author may withdraw it' },
  'origin-not-allowed': { status: 403, title: 'This page may not use the Candor server' },
  csrf: { status: 403, title: 'The request lacks its CSRF token' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'body-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Send JSON (Content-Type: application/json)' },
  'invalid-record': { status: 422, title: 'The record is not valid' },
  'idempotency-key-reused': { status: 422, title: 'This Idempotency-Key was used with a different request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'A service this request needs is unavailable' },
  internal: { status: 500, title: 'Internal error' },
} as const;
export type ProblemType = keyof typeof PROBLEMS;

export const PROBLEM_URN = 'urn:candor:problem:';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** A refusal the API answers with; thrown inside handlers, answered once at the top. */
export class Problem extends Error {
  override name = 'Problem';
  constructor(
    readonly type: ProblemType,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }

  get status(): number {
    return PROBLEMS[this.type].status;
  }

  body(): ProblemBody {
    return { type: PROBLEM_URN + this.type, title: PROBLEMS[this.type].title, status: this.status, detail: this.detail, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

/** Sends a problem (headers already set on `res`, such as CORS, are kept). */
export function sendProblem(res: ServerResponse, problem: Problem): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(problem.body());
  for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
  res.writeHead(problem.status, { 'Content-Type': 'application/problem+json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Sends JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

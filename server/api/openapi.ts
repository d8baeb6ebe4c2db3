/**
 * `GET /v1/openapi.json`: OpenAPI 3.1 of every route the team server answers. Record and body schemas
 * are generated from the model's zod schemas (zod 4's own `z.toJSONSchema`, which reads `zod/mini`
 * schemas too), so the description cannot drift from what the server validates; the few shapes the
 * model has no schema for (problems, the session, health, history) are written out here.
 */
import * as z from 'zod';
import { ZCandorDocument, ZCheckIn, ZComment, ZKudos, ZReflection } from '../../core/model/index.ts';
import { ZCheckInBody, ZCommentBody, ZKudosBody, ZReflectionBody } from './schemas.ts';
import { PROBLEMS, PROBLEM_URN } from './problem.ts';
import { EMBED_WIDGETS } from './embed.ts';

type Json = Record<string, unknown>;

/** A zod (or zod/mini) schema as JSON Schema 2020-12, without `$schema` and without defaults that change per call. */
export function jsonSchema(schema: unknown, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema as z.ZodType, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  const clean = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(clean);
    const o = node as Json;
    if (o.format === 'date-time' && 'default' in o) delete o.default;
    for (const v of Object.values(o)) clean(v);
  };
  clean(out);
  return out;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const legacyError = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });
const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

const WRITE_KINDS = [
  { path: 'check-ins', record: 'CheckIn', body: 'CheckInBody', what: 'a check-in on a key result', withdraw: true },
  { path: 'comments', record: 'Comment', body: 'CommentBody', what: 'a comment on an objective, key result, check-in, reflection, person or team', withdraw: true },
  { path: 'kudos', record: 'Kudos', body: 'KudosBody', what: 'kudos to people', withdraw: false },
  { path: 'reflections', record: 'Reflection', body: 'ReflectionBody', what: "an end-of-cycle reflection on an objective (its owners')", withdraw: false },
] as const;

const writeErrors = {
  '400': problem('The body is not JSON, or the Idempotency-Key is not usable.'),
  '401': problem('Not signed in, or the token was refused.'),
  '403': problem('The record rule refuses this write (not your key result, a target you may not see), the page is not allowed, or a cookie write lacks its CSRF token.'),
  '413': problem('The body is over limits.maxBodyBytes.'),
  '415': problem('The body is not JSON.'),
  '422': problem('The record is not valid (each error names its field), refers to something you may not see, or the Idempotency-Key was used with a different body.'),
  '429': problem('Too many writes (limits.writesPerMinute) or failed sign-ins; see Retry-After.'),
  '503': problem('The identity provider could not be reached to check a token; see Retry-After.'),
};
const retryAfter = { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'string' } } };

let built: Json | undefined;

/** The OpenAPI document (built once). */
export function openApiDocument(): Json {
  if (built) return built;
  const problemTypes = Object.keys(PROBLEMS).map((k) => PROBLEM_URN + k);
  const schemas: Json = {
    Document: jsonSchema(ZCandorDocument, 'output'),
    CheckIn: jsonSchema(ZCheckIn, 'output'),
    Comment: jsonSchema(ZComment, 'output'),
    Kudos: jsonSchema(ZKudos, 'output'),
    Reflection: jsonSchema(ZReflection, 'output'),
    CheckInBody: {
      ...jsonSchema(ZCheckInBody, 'input'),
      description: 'A check-in without what the server fills (id, authorId, at). value for increase/decrease/maintain key results, milestonesDone for milestones, done for boolean ones.',
    },
    CommentBody: jsonSchema(ZCommentBody, 'input'),
    KudosBody: jsonSchema(ZKudosBody, 'input'),
    ReflectionBody: jsonSchema(ZReflectionBody, 'input'),
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details. errors name each field of the request at fault, in words a person understands.',
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', enum: problemTypes },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string' },
        errors: {
          type: 'array',
          items: { type: 'object', required: ['path', 'message'], additionalProperties: false, properties: { path: { type: 'string' }, message: { type: 'string' } } },
        },
        loginUrl: { type: 'string', description: 'Where a browser signs in (GET /v1/session when not signed in and an identity provider is configured).' },
      },
      additionalProperties: false,
    },
    Error: {
      type: 'object',
      description: 'Errors of the read routes (document, events, history, healthz).',
      required: ['error', 'message'],
      properties: { error: { type: 'string' }, message: { type: 'string' } },
      additionalProperties: false,
    },
    Session: {
      type: 'object',
      required: ['personId', 'name', 'csrfToken', 'expiresAt', 'via'],
      additionalProperties: false,
      properties: {
        personId: { type: 'string' },
        name: { type: 'string' },
        csrfToken: { type: ['string', 'null'], description: 'Send it as X-Candor-CSRF with every cookie-authenticated write; null when signed in by bearer token.' },
        expiresAt: { type: ['string', 'null'], format: 'date-time', description: 'When the session cookie stops signing in; null for a bearer token.' },
        via: { type: 'string', enum: ['cookie', 'bearer'] },
      },
    },
    Health: {
      type: 'object',
      required: ['ok'],
      properties: {
        ok: { type: 'boolean' },
        organisation: { type: 'string' },
        spaces: { type: 'integer' },
        connections: { type: 'integer' },
        streams: { type: 'integer' },
        uptimeSeconds: { type: 'integer' },
        redis: {},
        preAuth: { type: 'object' },
      },
    },
    HistoryEntry: {
      type: 'object',
      required: ['seq', 'space', 'person', 'at', 'collection', 'id', 'kind'],
      properties: {
        seq: { type: 'integer' },
        space: { type: 'string' },
        person: { type: 'string' },
        at: { type: 'string', format: 'date-time' },
        collection: { type: 'string' },
        id: { type: 'string' },
        kind: { type: 'string', enum: ['add', 'change', 'remove'] },
        fields: { type: 'array', items: { type: 'string' } },
        before: { type: 'object' },
        after: { type: 'object' },
        objectiveId: { type: 'string' },
      },
    },
    History: {
      type: 'object',
      required: ['entries'],
      properties: { objective: { type: 'string' }, keyResult: { type: 'string' }, entries: { type: 'array', items: ref('HistoryEntry') } },
    },
  };

  const paths: Json = {
    '/v1/document': {
      get: {
        summary: "The organisation's Candor document as you may see it",
        description: 'Public objectives for everyone in the organisation (and anonymous readers when anonymousRead is on), team-visible ones for the team, never private ones. ETag per view; gzip when asked.',
        parameters: [{ name: 'If-None-Match', in: 'header', schema: { type: 'string' } }, { name: 'token', in: 'query', schema: { type: 'string' }, description: 'A token, for clients that cannot send headers.' }],
        responses: {
          '200': { description: 'The document.', headers: { ETag: { schema: { type: 'string' } } }, content: { 'application/json': { schema: ref('Document') } } },
          '304': { description: 'Not modified.' },
          '401': legacyError('Not signed in (and anonymous reading is off), or the token was refused.'),
          '403': legacyError('The page is not in allowedOrigins.'),
          '429': { ...legacyError('Too many failed sign-ins.'), headers: retryAfter },
        },
      },
    },
    '/v1/events': {
      get: {
        summary: 'Server-Sent Events announcing changes to your view',
        description: '`event: change`, `id: <etag>`, `data: {"etag":"…"}` after changes; `: heartbeat` comments. A reconnecting client sends Last-Event-ID.',
        parameters: [{ name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } }, { name: 'token', in: 'query', schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The stream.', content: { 'text/event-stream': { schema: { type: 'string' } } } },
          '401': legacyError('Not signed in.'),
          '403': legacyError('The page is not in allowedOrigins.'),
          '429': { ...legacyError('Too many failed sign-ins.'), headers: retryAfter },
        },
      },
    },
    '/v1/history': {
      get: {
        summary: 'Who changed what, when, for an objective or a key result you may see',
        parameters: [
          { name: 'objective', in: 'query', schema: { type: 'string' } },
          { name: 'keyResult', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': { description: 'The changes, oldest first.', content: { 'application/json': { schema: ref('History') } } },
          '400': legacyError('Neither or both of objective and keyResult.'),
          '401': legacyError('Not signed in.'),
          '403': legacyError('The page is not in allowedOrigins.'),
          '404': legacyError('No such objective or key result that you may see.'),
        },
      },
    },
    '/healthz': {
      get: { summary: 'Health', security: [], responses: { '200': { description: 'Up.', content: { 'application/json': { schema: ref('Health') } } } } },
    },
    '/v1/openapi.json': {
      get: { summary: 'This description', security: [], responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } }, '403': problem('The page is not allowed.') } },
    },
    '/v1/session': {
      get: {
        summary: 'Who you are signed in as, and the CSRF token cookie writes need',
        responses: {
          '200': { description: 'Signed in.', content: { 'application/json': { schema: ref('Session') } } },
          '401': problem('Not signed in: sign in at loginUrl (a popup: GET /auth/login?return=<this page>).'),
          '403': problem('The page is not allowed.'),
          '429': { ...problem('Too many failed sign-ins.'), headers: retryAfter },
          '503': { ...problem('The identity provider could not be reached.'), headers: retryAfter },
        },
      },
    },
    '/auth/login': {
      get: {
        summary: 'Start signing in with the identity provider (authorization code + PKCE)',
        security: [],
        parameters: [{ name: 'return', in: 'query', schema: { type: 'string' }, description: 'Where to go afterwards: a page on an allowed origin (its origin receives the popup message), or a path here.' }],
        responses: {
          '302': { description: 'To the provider; sets the flow cookie (HttpOnly, SameSite=Lax, 10 minutes).', headers: { Location: { schema: { type: 'string' } } } },
          '403': html('return is on an origin that is not allowed.'),
          '404': html('No identity provider is configured.'),
          '429': html('Too many sign-ins started.'),
          '503': html('The identity provider could not be reached.'),
        },
      },
    },
    '/auth/callback': {
      get: {
        summary: "The provider's redirect back: sets the session cookie",
        security: [],
        parameters: [
          { name: 'code', in: 'query', schema: { type: 'string' } },
          { name: 'state', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': html("Signed in: sets the session cookie. Opened as a popup, the page posts { type: 'candor-signed-in' } to its opener (the return page's origin only) and closes; otherwise it goes on to return."),
          '401': html('The provider refused, or the code exchange failed.'),
          '403': html('The flow was not started in this browser, or nobody in the organisation has this identity.'),
          '404': html('The flow expired or was used already.'),
          '503': html('The identity provider could not be reached.'),
        },
      },
    },
    '/auth/logout': {
      post: {
        summary: 'End the session',
        parameters: [{ name: 'X-Candor-CSRF', in: 'header', schema: { type: 'string' } }],
        responses: { '204': { description: 'Signed out; the cookie is cleared.' }, '403': problem('A page that is not allowed, or no CSRF token.') },
      },
    },
    '/embed/{widget}': {
      get: {
        summary: 'A frameable page holding one widget (for hosts that refuse script tags)',
        description: "Known attributes of the widget as query parameters (escaped; others ignored); the widget reads this server's /v1/document. CSP frame-ancestors from embed.frameAncestors.",
        security: [],
        parameters: [{ name: 'widget', in: 'path', required: true, schema: { type: 'string', enum: Object.keys(EMBED_WIDGETS) } }],
        responses: { '200': html('The page.'), '404': problem('No such widget.') },
      },
    },
    '/embed/embed.js': {
      get: {
        summary: "The embed pages' script: writes what the check-in form and kudos button emit, with the CSRF token; offers sign-in in a popup",
        security: [],
        responses: { '200': { description: 'ES module.', content: { 'text/javascript': { schema: { type: 'string' } } } } },
      },
    },
    '/widgets/candor-widgets.js': {
      get: {
        summary: 'The single-file widget bundle',
        security: [],
        responses: {
          '200': { description: 'ES module.', content: { 'text/javascript': { schema: { type: 'string' } } } },
          '304': { description: 'Not modified.' },
          '404': problem('Not built on this server (npm run build:widgets).'),
        },
      },
    },
  };

  for (const k of WRITE_KINDS) {
    paths[`/v1/${k.path}`] = {
      post: {
        summary: `Write ${k.what}`,
        description:
          'Written through the core Workspace commands under the record rule, as you: the server fills id, the author and at. Stored in the update log before the answer, relayed live to connected clients, recorded in the history. ' +
          'Signed in by cookie, a write must come from an allowed page (Origin) and carry X-Candor-CSRF.',
        parameters: [
          { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', minLength: 1, maxLength: 255 }, description: 'A retry with the same key and body answers the first 201 again (Idempotent-Replayed: true); with another body, 422.' },
          { name: 'X-Candor-CSRF', in: 'header', schema: { type: 'string' }, description: 'The session csrfToken (cookie sign-in only).' },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: ref(k.body) } } },
        responses: {
          '201': {
            description: 'Stored.',
            headers: { Location: { schema: { type: 'string' } }, 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] } } },
            content: { 'application/json': { schema: ref(k.record) } },
          },
          ...writeErrors,
          '429': { ...writeErrors['429'], headers: retryAfter },
          '503': { ...writeErrors['503'], headers: retryAfter },
        },
      },
    };
    const item: Json = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: {
        summary: `Read one (${k.path}) you may see`,
        responses: { '200': { description: 'The record.', content: { 'application/json': { schema: ref(k.record) } } }, '401': problem('Not signed in.'), '403': problem('The page is not allowed.'), '404': problem('None you may see.') },
      },
    };
    if (k.withdraw) {
      item.delete = {
        summary: `Withdraw your ${k.path === 'check-ins' ? 'check-in' : 'comment'} (its author only)`,
        parameters: [{ name: 'X-Candor-CSRF', in: 'header', schema: { type: 'string' } }],
        responses: {
          '204': { description: 'Withdrawn (a tombstone; the history shows it).' },
          '401': problem('Not signed in.'),
          '403': problem('Not its author, a page that is not allowed, or no CSRF token.'),
          '404': problem('None you may see.'),
          '429': { ...problem('Too many writes.'), headers: retryAfter },
        },
      };
    }
    paths[`/v1/${k.path}/{id}`] = item;
  }

  built = {
    openapi: '3.1.0',
    info: {
      title: 'Candor team server',
      version: '1',
      description:
        'Read and write OKRs: the organisation document, its change stream and history, and check-ins, comments, kudos and reflections written under the record rule. ' +
        'Sign in with a per-person token or a JWT from the identity provider (Authorization: Bearer), or in a browser with the session cookie from /auth/login.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }, {}],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A per-person token (candor_<kid>_<secret>), an HS256 JWT, or a JWT from the identity provider (RS256/ES256, verified against its JWKS).' },
        session: { type: 'apiKey', in: 'cookie', name: '__Host-candor-session', description: 'The session cookie (candor-session when the server is not https). Writes also need X-Candor-CSRF and an allowed Origin.' },
      },
      schemas,
    },
    paths,
  };
  return built;
}

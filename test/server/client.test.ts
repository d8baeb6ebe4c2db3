// core/sync without a server: which spaces a person syncs, refusal wording, and the offline status.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { connectSpaces, describeRefusal, spacesToSync, toWebSocketUrl } from '../../core/sync/index.ts';
import { freePort, until } from './harness.ts';

describe('core/sync', () => {
  it('syncs my spaces, my teams, the company and my teammates', () => {
    const people = [
      { id: 'ana', teamIds: ['web'] },
      { id: 'ben', teamIds: ['web', 'ops'] },
      { id: 'cy', teamIds: ['ops'] },
      { id: 'dee', teamIds: ['data'] },
    ];
    expect(spacesToSync('ben', people).sort()).toEqual(['company', 'members:ops', 'members:web', 'person:ana', 'person:ben', 'person:cy', 'team:ops', 'team:web']);
    expect(spacesToSync('dee', people).sort()).toEqual(['company', 'members:data', 'person:dee', 'team:data']);
    expect(spacesToSync('ghost', people)).toEqual(['company', 'person:ghost']);
  });

  it('words refusals so people can act on them', () => {
    expect(describeRefusal('invalid-token: this token is not known here')).toMatch(/did not accept your token/);
    expect(describeRefusal('forbidden: the space of team "x" is for its members only')).toBe('not allowed: the space of team "x" is for its members only');
    expect(describeRefusal('rate-limited: retry in 5 s')).toMatch(/too many connections; retry in 5 s/);
    expect(toWebSocketUrl('https://okrs.example.com/')).toBe('wss://okrs.example.com');
  });

  it('reports offline with a reason when the server cannot be reached, and keeps local edits', async () => {
    const port = await freePort(); // nothing listens there
    const doc = new Y.Doc();
    const conn = connectSpaces({ url: `http://127.0.0.1:${port}`, token: 't', spaces: [['person:me', doc], ['private:me', new Y.Doc()]], WebSocketPolyfill: WebSocket, minDelay: 50, maxDelay: 100 });
    expect(conn.status.state).toBe('connecting');
    const s = await until(conn, (st) => st.state === 'offline');
    expect(s.reason).toMatch(/cannot reach the server/);
    expect(s.spaces.map((x) => x.space)).toEqual(['person:me']); // private spaces are never synced
    doc.getMap('m').set('k', 1);
    expect(doc.getMap('m').get('k')).toBe(1);
    await expect(conn.whenSynced(200)).rejects.toThrow(/did not happen within 200 ms/);
    conn.destroy();
  });
});

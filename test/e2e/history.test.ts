// An objective's history on the options page, from a real team server: who changed what and when.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { axeViolations, launchExtension, type Loaded } from './harness.ts';
import { prepare, startServer, tempDir, testConfig, testDocument, TOKENS, type RunningServer } from '../server/harness.ts';
import { connectSpaces } from '../../core/sync/index.ts';
import { appendRecords } from '../../core/store/space.ts';

let tmp: ReturnType<typeof tempDir>;
let server: RunningServer | undefined;
let x: Loaded | undefined;

describe('an objective’s history', () => {
  beforeAll(async () => {
    tmp = tempDir();
    const doc = testDocument();
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    doc.cycles = [{ ...doc.cycles[0]!, start: day(-30), end: day(60) }];
    server = await startServer(prepare(tmp.dir, testConfig(), doc));
    x = await launchExtension(join(tmp.dir, 'profile'));
  });
  afterAll(async () => {
    await x?.close();
    await server?.stop('SIGKILL');
    tmp?.cleanup();
  });

  it('lists who changed what, before → after, on the options page', async () => {
    // bob, alice's teammate, comments on her objective (through his own client).
    const space = new Y.Doc();
    const bob = connectSpaces({ url: server!.url, token: TOKENS.bob, spaces: [['person:alice', space]], WebSocketPolyfill: WebSocket });
    await bob.whenSynced();
    appendRecords(space, 'comments', [{ id: 'hist-c1', target: { kind: 'objective', id: 'alice-public' }, authorId: 'bob', at: new Date().toISOString(), text: 'Looks good' }]);
    await bob.flushed();
    bob.destroy();

    const options = await x!.open('options.html#server');
    await options.getByLabel('Server address').fill(server!.http);
    await options.getByLabel('Access token').fill(TOKENS.alice);
    await options.locator('form button[type=submit]').first().click();
    await expect.poll(() => options.locator('.sync').first().textContent(), { timeout: 20_000 }).toMatch(/Synced with the team server/);
    await options.goto(x!.url('options.html#identity'));
    await expect.poll(() => options.locator('#me option[value="alice"]').count(), { timeout: 20_000 }).toBe(1);
    await options.locator('#me').selectOption('alice');
    // alice's own space arrives from the server: her goals show on the new tab.
    const tab = await x!.open('newtab.html');
    await expect.poll(() => tab.locator('[data-kr="alice-public-kr"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await tab.close();

    // alice renames her objective in the editor.
    await options.goto(x!.url('options.html#objectives/alice-public'));
    const title = options.locator('#objective-title');
    await title.waitFor({ timeout: 20_000 });
    await title.fill('Ship the history view');
    await options.getByRole('button', { name: 'Save objective' }).click();
    await expect
      .poll(async () => ((await (await fetch(`${server!.http}/v1/history?objective=alice-public`, { headers: { authorization: `Bearer ${TOKENS.alice}` } })).json()) as { entries: unknown[] }).entries.length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(2);

    await options.goto(x!.url('options.html#objectives/alice-public'));
    await options.reload(); // the same page, only the hash changed: open the editor afresh
    await options.locator('details.history > summary').click();
    const list = options.locator('.history-list');
    await expect.poll(() => list.textContent(), { timeout: 20_000 }).toMatch(/Alice changed the objective “Ship the history view”.*title: Objective alice-public → Ship the history view/);
    expect(await list.textContent()).toMatch(/Bob added a comment/);
    expect(await axeViolations(options, 'details.history')).toEqual([]);
    await options.close();
  });
});

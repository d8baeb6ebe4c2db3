// A write the team server refuses, seen from the extension. Bob owns a key result of a company
// objective, so he may check in on it. While he is disconnected he checks in on it; meanwhile an admin
// hands the key result to someone else. When bob reconnects, the server refuses that change (the record
// rule: he is no longer the key result's owner, and not an admin). The extension says so, in the
// server's words, and reloads that space from the server: the refused check-in is gone everywhere.
// (Writing his other work there again is tested in test/extension/refused.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { launchExtension, type Loaded } from './harness.ts';
import { prepare, startServer, tempDir, testConfig, testDocument, TOKENS, type RunningServer, type ServerSetup } from '../server/harness.ts';
import { connectSpaces } from '../../core/sync/index.ts';
import { patchRecord } from '../../core/store/space.ts';

let tmp: ReturnType<typeof tempDir>;
let setup: ServerSetup;
let server: RunningServer | undefined;
let x: Loaded | undefined;

type Doc = { checkIns: { keyResultId: string; value?: number }[]; comments: { text: string; authorId: string }[] };
const documentOf = async (base: string) => (await (await fetch(`${base}/v1/document`, { headers: { authorization: `Bearer ${TOKENS.bob}` } })).json()) as Doc;

describe('a write the team server refuses', () => {
  beforeAll(async () => {
    tmp = tempDir();
    // The test organisation, in a cycle that runs today (the new tab and popup show the current cycle);
    // the company objective's key result is bob's.
    const doc = testDocument();
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    doc.cycles = [{ ...doc.cycles[0]!, start: day(-30), end: day(60) }];
    doc.keyResults.find((k) => k.id === 'company-public-kr')!.ownerId = 'bob';
    setup = prepare(tmp.dir, testConfig(), doc);
    server = await startServer(setup);
    x = await launchExtension(join(tmp.dir, 'profile'));
  });
  afterAll(async () => {
    await x?.close();
    await server?.stop('SIGKILL');
    tmp?.cleanup();
  });

  it('shows the server’s reason and drops the refused check-in everywhere', async () => {
    const options = await x!.open('options.html#server');
    const connect = async () => {
      await options.goto(x!.url('options.html#server'));
      await options.getByLabel('Server address').fill(server!.http);
      await options.getByLabel('Access token').fill(TOKENS.bob);
      await options.locator('form button[type=submit]').first().click();
      await expect.poll(() => options.locator('.sync').first().textContent(), { timeout: 20_000 }).toMatch(/Synced with the team server/);
    };
    await connect();
    await options.goto(x!.url('options.html#identity'));
    await expect.poll(() => options.locator('#me option[value="bob"]').count(), { timeout: 20_000 }).toBe(1);
    await options.locator('#me').selectOption('bob');
    const tab = await x!.open('newtab.html');
    await expect.poll(() => tab.locator('[data-kr="company-public-kr"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await tab.close();

    // Bob disconnects, then checks in on his key result.
    await options.goto(x!.url('options.html#server'));
    await options.getByRole('button', { name: 'Disconnect' }).click();
    const popup = await x!.open('popup.html');
    const form = popup.locator('form.checkin-form[data-kr="company-public-kr"]');
    await form.waitFor({ timeout: 20_000 });
    await form.locator('input[name=value]').fill('77');
    await form.locator('input[name=value]').press('Enter');
    await expect.poll(() => popup.locator('#saved-status').textContent()).toMatch(/Saved your check-in/);
    await popup.close();

    // Meanwhile the admin hands that key result to someone else.
    const company = new Y.Doc();
    const admin = connectSpaces({ url: server!.url, token: TOKENS.dave, spaces: [['company', company]], WebSocketPolyfill: WebSocket });
    await admin.whenSynced();
    patchRecord(company, 'keyResults', 'company-public-kr', { ownerId: 'dave' });
    await admin.flushed();
    admin.destroy();

    // Bob reconnects: the extension says what was refused and why, in words a person can act on.
    await connect().catch(() => undefined); // the status may show the refusal rather than "Synced"
    const alert = options.locator('#sync-refused');
    await expect.poll(() => alert.textContent(), { timeout: 30_000 }).toMatch(/refused a change in company: .*"bob" may not check in on key result "company-public-kr"/);
    expect(await alert.getAttribute('role')).toBe('alert');
    // Nothing of it reached the server, and the extension's copy no longer holds it.
    expect((await documentOf(server!.http)).checkIns.some((c) => c.keyResultId === 'company-public-kr' && c.value === 77)).toBe(false);
    await expect
      .poll(async () => {
        const rows = (await options.evaluate(
          () =>
            new Promise((res) => {
              const r = indexedDB.open('candor');
              r.onsuccess = () => {
                const all = r.result.transaction('updates').objectStore('updates').getAll();
                all.onsuccess = () => res(all.result.filter((x: { space: string }) => x.space === 'company').map((x: { update: Uint8Array }) => Array.from(x.update)));
              };
            }),
        )) as number[][];
        const d = new Y.Doc();
        for (const u of rows) Y.applyUpdate(d, new Uint8Array(u));
        return d
          .getArray<string>('checkIns')
          .toArray()
          .some((e) => e.includes('"value":77'));
      }, { timeout: 20_000 })
      .toBe(false);
    await options.close();
  });
});

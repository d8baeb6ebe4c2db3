// The extension and a real Candor team server (sample organisation, on loopback): connect with a
// token, pick who I am, see my goals from the server, check in, and find the check-in on the server.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { launchExtension, type Loaded } from './harness.ts';
import { startTeamServer, type TeamServer } from './team-server.ts';

let server: TeamServer | undefined;
let base = '';
let person = '';
let token = '';
let x: Loaded | undefined;

describe('the extension with a team server', () => {
  beforeAll(async () => {
    server = await startTeamServer();
    ({ base, person, token } = server);
    x = await launchExtension(join(server.dir, 'profile'));
  });
  afterAll(async () => {
    await x?.close();
    await server?.stop();
  });

  it('connects, shows my goals from the server, and a check-in from the popup reaches the server', async () => {
    const options = await x!.open('options.html#server');
    await options.getByLabel('Server address').fill(base);
    await options.getByLabel('Access token').fill(token);
    await options.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => options.locator('.sync').textContent(), { timeout: 20_000 }).toMatch(/Synced with the team server/);

    // The people list came from the server's company space: I pick who I am.
    await options.goto(x!.url('options.html#identity'));
    await expect.poll(() => options.locator(`#me option[value="${person}"]`).count(), { timeout: 20_000 }).toBe(1);
    await options.locator('#me').selectOption(person);

    const goals = await x!.open('newtab.html');
    await expect.poll(() => goals.locator('.objective').count(), { timeout: 20_000 }).toBeGreaterThan(0);

    // Check in on a numeric key result from the popup.
    const popup = await x!.open('popup.html');
    const value = popup.locator('input[name=value]').first();
    await value.waitFor();
    const krId = await popup.locator('form.checkin-form', { has: popup.locator('input[name=value]') }).first().getAttribute('data-kr');
    await value.fill('4242');
    await popup.locator('form.checkin-form', { has: popup.locator('input[name=value]') }).first().locator('input[name=note]').fill('sent from the e2e test');
    await value.press('Enter');
    await expect.poll(() => popup.locator('#saved-status').textContent()).toMatch(/Saved your check-in/);

    // The popup closes; the open options page (connected) carries the update to the server.
    await popup.close();
    await expect
      .poll(
        async () => {
          const res = await fetch(`${base}/v1/document`, { headers: { authorization: `Bearer ${token}` } });
          const doc = (await res.json()) as { checkIns: { keyResultId: string; value?: number; authorId: string; note?: string }[] };
          return doc.checkIns.some((c) => c.keyResultId === krId && c.value === 4242 && c.authorId === person && c.note === 'sent from the e2e test');
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBe(true);
    await Promise.all([options.close(), goals.close()]);
  });
});

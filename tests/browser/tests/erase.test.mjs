// Issue 7, the erasure of a deleted account: a teacher's app is open on a conversation with a
// student, a second device of the teacher is offline with a reply written there; an
// administrator deletes the student (HTTP). The open app shows "compte supprimé" for her
// messages without a reload (the server rebuilt the thread without history and told the
// device to reset it), and the offline reply reaches the server once that device is back
// online (kept as an edit, applied again to the rebuilt thread).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  STUDENT,
  TEACHER,
  describePage,
  expectInPage,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';
import { expectNothingPending, expectSomethingPending } from '../lib/settings.mjs';

const ADMIN = { login: 'admin', password: 'admin-demo' };
const THREAD = 'lea-paul-projet';

/** Signs in over HTTP from the test; the session cookie (`name=value`). */
async function cookieOf(origin, account) {
  const resp = await fetch(`${origin}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ login: account.login, password: account.password }),
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(resp.status, 200, `login of ${account.login}`);
  return resp.headers.get('set-cookie').split(';')[0];
}

/** Opens the demo conversation between the teacher and the student. */
async function openThread(page) {
  await openTab(page, 'messages');
  await page.locator(`button.thread-link[data-thread="${THREAD}"]`).click();
  await expectVisible(page, 'li.message', 'the conversation');
}

/** The authors shown in the open conversation, in order. */
function shownAuthors(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('li.message .message-meta')].map((p) => p.textContent.split(' · ')[0]),
  );
}

describe('account erasure', () => {
  const env = useServerAndBrowser('erase');

  test('a deleted student shows as "compte supprimé" in the open app, and an offline reply survives', async () => {
    const origin = env.server.origin;
    const phoneContext = await newPhoneContext(env.browser, 'erase-phone');
    const laptopContext = await newPhoneContext(env.browser, 'erase-laptop');
    try {
      const phone = await phoneContext.newPage();
      await signIn(phone, origin, TEACHER);
      await expectSyncState(phone, 'online');
      await openThread(phone);
      assert.ok((await shownAuthors(phone)).includes(STUDENT.login), 'her messages are signed with her login');
      await phone.evaluate(() => {
        window.__cartableNoReload = true;
      });

      // The laptop writes a reply offline.
      const laptop = await laptopContext.newPage();
      await signIn(laptop, origin, TEACHER);
      await expectSyncState(laptop, 'online');
      await openThread(laptop);
      await laptopContext.setOffline(true);
      await expectSyncState(laptop, 'offline');
      const reply = `Bien reçu, merci ${Date.now().toString(36)}`;
      await laptop.fill('#reply-body', reply);
      await laptop.locator('form#reply button[type="submit"]').click();
      await expectInPage(laptop, 'the reply shown on the laptop', (text) =>
        [...document.querySelectorAll('li.message .message-body')].some((p) => p.textContent === text), reply);
      await expectSomethingPending(laptop);

      // The administrator deletes the student.
      const admin = await cookieOf(origin, ADMIN);
      const resp = await fetch(`${origin}/api/admin/accounts/${STUDENT.login}`, {
        method: 'DELETE',
        headers: { cookie: admin, origin },
        signal: AbortSignal.timeout(20_000),
      });
      assert.equal(resp.status, 200, 'the account is deleted');
      const deleted = await resp.json();
      assert.ok(deleted.rebuilt >= 1, `the thread was rebuilt: ${JSON.stringify(deleted)}`);

      // The phone, open on the conversation, follows live.
      await expectInPage(
        phone,
        'her messages signed "compte supprimé"',
        (login) => {
          const authors = [...document.querySelectorAll('li.message .message-meta')].map((p) => p.textContent.split(' · ')[0]);
          return authors.includes('compte supprimé') && !authors.includes(login);
        },
        STUDENT.login,
        20_000,
      );
      assert.equal(await phone.evaluate(() => window.__cartableNoReload === true), true, 'no reload happened');
      assert.equal(await phone.locator('li.message', { hasText: STUDENT.login }).count(), 0);
      await screenshot(phone, 'erase-thread-anonymised', 'main#messages');

      // The laptop comes back: its old copy is dropped, its reply applied again and sent.
      await laptopContext.setOffline(false);
      await expectSyncState(laptop, 'online', 45_000);
      await expectNothingPending(laptop, 30_000);
      await expectInPage(laptop, 'the laptop shows the rebuilt conversation with the reply', (text) => {
        const metas = [...document.querySelectorAll('li.message .message-meta')].map((p) => p.textContent);
        const bodies = [...document.querySelectorAll('li.message .message-body')].map((p) => p.textContent);
        return metas.some((m) => m.startsWith('compte supprimé')) && bodies.filter((b) => b === text).length === 1;
      }, reply, 20_000);
      await expectInPage(phone, 'the reply reaches the phone through the server', (text) =>
        [...document.querySelectorAll('li.message .message-body')].some((p) => p.textContent === text), reply, 20_000);

      // And the server holds it, in a thread that no longer names her.
      const teacher = await cookieOf(origin, TEACHER);
      const exported = await fetch(`${origin}/api/me/export`, {
        headers: { cookie: teacher },
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(exported.status, 200);
      const data = await exported.json();
      const thread = data.threads.find((t) => t.messages.some((m) => m.body === reply));
      assert.ok(thread, `the reply is stored on the server${await describePage(laptop)}`);
      assert.ok(!JSON.stringify(thread).includes(STUDENT.login), 'the stored thread does not name her');
      assert.equal(thread.messages.filter((m) => m.body === reply).length, 1, 'sent once');
    } finally {
      await phoneContext.close();
      await laptopContext.close();
    }
  });
});

// Web Push end to end: the student turns notifications on in the settings (the subscription
// itself comes from the fake push service: headless Chromium cannot make a real one), a teacher
// cancels a session, the real server encrypts and sends the push to the fake service, which
// decrypts it; the test hands that message to the service worker (CDP
// ServiceWorker.deliverPushMessage), which shows and records it; tapping it (the worker's
// click handler) opens the session in the app; offline, a reopened app still shows the
// cancellation and the notification.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { request } from 'playwright-core';

import {
  STUDENT,
  TEACHER,
  expectInPage,
  expectServiceWorkerControl,
  expectSyncState,
  expectVisible,
  newPhoneContext,
  openTab,
  screenshot,
  signIn,
  waitFor,
} from '../lib/browser.mjs';
import { stubPushSubscription } from '../lib/fake_push.mjs';
import { useServerBrowserAndFakePush } from '../lib/fixture.mjs';
import { enablePush, openSettings } from '../lib/settings.mjs';

const PUSH_WAIT_MS = 30_000;

describe('web push', () => {
  const env = useServerBrowserAndFakePush('push');

  test('a cancelled session is pushed, shown, opens the session when tapped, and stays visible offline', async () => {
    const origin = env.server.origin;
    const subscription = await env.fake.subscribe();
    const context = await newPhoneContext(env.browser, 'push');
    await context.grantPermissions(['notifications'], { origin });
    await stubPushSubscription(context, subscription);
    const teacher = await request.newContext({ baseURL: origin, extraHTTPHeaders: { Origin: origin }, timeout: 15_000 });
    try {
      const page = await context.newPage();
      await signIn(page, origin);
      await expectServiceWorkerControl(page);
      await expectSyncState(page, 'online');

      // Turn notifications on through the settings.
      await openSettings(page);
      await enablePush(page, 'Téléphone de test');
      const options = await page.evaluate(() => window.__pushSubscribeOptions);
      assert.deepEqual(options, { userVisibleOnly: true, keyLength: 65 }, 'subscribe() with the server\'s 65-byte VAPID key');
      await expectVisible(page, '#push-devices li', 'this device in the list of devices receiving notifications');
      const devices = await page.$$eval('#push-devices li', (lis) => lis.map((li) => li.textContent));
      assert.equal(devices.length, 1, `one device, got ${JSON.stringify(devices)}`);
      assert.match(devices[0], /Téléphone de test/);
      assert.match(devices[0], /127\.0\.0\.1/, 'the push service host, never the endpoint');

      // A scheduled session of this week, that the teacher cancels.
      await openTab(page, 'timetable');
      const sessionId = await page.$eval('article.session[data-status="scheduled"]', (a) => a.dataset.sessionId);
      const login = await teacher.post('/api/login', { data: { login: TEACHER.login, password: TEACHER.password } });
      assert.equal(login.status(), 200);
      const change = await teacher.post(`/api/timetable/${STUDENT.group}/sessions/${encodeURIComponent(sessionId)}`, {
        data: { action: 'cancel', note: 'Enseignant absent' },
      });
      assert.equal(change.status(), 200, `the cancellation of ${sessionId}: ${await change.text()}`);

      // The server pushes it; the fake service decrypts it and checks the VAPID signature.
      const message = await waitFor(
        `the fake push service to receive the cancellation of ${sessionId}, decrypted`,
        async () =>
          (await env.fake.messages(subscription.id)).find(
            (m) => m.decrypted && m.payload?.category === 'class_cancelled' && m.payload.url?.includes(sessionId),
          ),
        PUSH_WAIT_MS,
      );
      assert.equal(message.vapid.valid, true, `VAPID: ${message.vapid.error}`);
      assert.equal(message.headers.urgency, 'high');
      const payload = message.payload;
      assert.equal(payload.url, `/?view=week&session=${encodeURIComponent(sessionId)}`);

      // Hand the very message to the service worker.
      await openTab(page, 'grades');
      const cdp = await context.newCDPSession(page);
      const registrations = [];
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
      await cdp.send('ServiceWorker.enable');
      const registration = await waitFor(
        'the service worker registration (CDP ServiceWorker.workerRegistrationUpdated)',
        () => registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(origin)),
        10_000,
      );
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin,
        registrationId: registration.registrationId,
        data: JSON.stringify(payload),
      });
      const shown = await waitFor(
        'the notification shown by the service worker',
        () =>
          page.evaluate(async () => {
            const reg = await navigator.serviceWorker.ready;
            const list = await reg.getNotifications();
            return list.length ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data?.url })) : null;
          }),
        10_000,
      );
      assert.deepEqual(shown, [{ title: payload.title, body: payload.body, tag: payload.tag, url: payload.url }]);

      // Tap: the worker's click handler takes the open window to the session.
      const worker = context.serviceWorkers().find((w) => w.url().startsWith(origin));
      assert.ok(worker, 'the service worker, to run its click handler');
      await worker.evaluate(async () => {
        const [notification] = await self.registration.getNotifications();
        await openFromNotification(notification);
      });
      await expectInPage(
        page,
        `the week with session ${sessionId} in focus, cancelled, after the tap`,
        (id) => {
          const el = document.querySelector(`article.session[data-session-id="${CSS.escape(id)}"]`);
          return location.search.includes('view=week') && document.querySelector('main#timetable') && el?.dataset.status === 'cancelled' && el.hasAttribute('data-focused');
        },
        sessionId,
        20_000,
      );
      assert.equal(
        await page.evaluate(() => navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((l) => l.length)),
        0,
        'the tapped notification is closed',
      );
      await screenshot(page, 'push-opened-session', 'article.session[data-focused]');

      // Offline (and the server stopped): a reopened app still shows the cancellation and the
      // notification it received.
      await context.setOffline(true);
      await env.server.stop();
      await page.close();
      const reopened = await context.newPage();
      await reopened.goto(`${origin}/`);
      await expectInPage(
        reopened,
        `session ${sessionId} shown cancelled offline`,
        (id) => document.querySelector(`article.session[data-session-id="${CSS.escape(id)}"]`)?.dataset.status === 'cancelled',
        sessionId,
        20_000,
      );
      await openSettings(reopened);
      await expectVisible(reopened, '#recent-notifications li', 'the recorded notification, offline');
      const recent = await reopened.$$eval('#recent-notifications li', (lis) =>
        lis.map((li) => ({ category: li.dataset.category, title: li.querySelector('.recent-title')?.textContent, href: li.querySelector('a')?.getAttribute('href') })),
      );
      assert.deepEqual(recent, [{ category: 'class_cancelled', title: payload.texts?.fr?.title ?? payload.title, href: payload.url }]);
    } finally {
      await teacher.dispose();
      await context.close();
    }
  });
});

// A session the server no longer knows (cookie gone or expired) leads back to the login screen.

import { describe, test } from 'node:test';

import {
  expectSyncState,
  expectVisible,
  newPhoneContext,
  screenshot,
  signIn,
} from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

describe('session', () => {
  const env = useServerAndBrowser('session');

  test('without its session cookie the app shows the login screen again', async () => {
    const context = await newPhoneContext(env.browser, 'session');
    try {
      const page = await context.newPage();
      await signIn(page, env.server.origin);
      await expectSyncState(page, 'online');
      await context.clearCookies();
      await page.reload();
      await expectVisible(page, 'form#login', 'the login form once the server refuses the session', 20_000);
      await screenshot(page, 'session-expired');
    } finally {
      await context.close();
    }
  });
});

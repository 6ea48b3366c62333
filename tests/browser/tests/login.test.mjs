// The login screen: French, labelled fields, and a wrong password refused with an alert.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { STUDENT, expectVisible, newPhoneContext, screenshot } from '../lib/browser.mjs';
import { useServerAndBrowser } from '../lib/fixture.mjs';

describe('login screen', () => {
  const env = useServerAndBrowser('login');

  test('a wrong password shows an alert and no timetable', async () => {
    const context = await newPhoneContext(env.browser, 'login');
    try {
      const page = await context.newPage();
      await page.goto(`${env.server.origin}/`);
      await expectVisible(page, 'form#login', 'the login form on a first visit');
      assert.equal(await page.getAttribute('html', 'lang'), 'fr', 'expected <html lang="fr">');
      for (const id of ['login-user', 'login-password']) {
        const labelled = await page.$eval(
          `#${id}`,
          (input) => input.labels.length > 0 || !!input.getAttribute('aria-label'),
        );
        assert.ok(labelled, `expected #${id} to have a <label for="${id}"> or an aria-label`);
      }
      assert.equal(
        await page.getAttribute('#login-password', 'type'),
        'password',
        'expected #login-password to be an <input type="password">',
      );
      await screenshot(page, 'login');

      await page.fill('#login-user', STUDENT.login);
      await page.fill('#login-password', 'not-the-password');
      await page.locator('form#login [type="submit"]').click();
      await expectVisible(page, '#login-error', 'an error message after a wrong password');
      assert.equal(
        await page.getAttribute('#login-error', 'role'),
        'alert',
        'expected #login-error to have role="alert" (announced by screen readers)',
      );
      const message = (await page.textContent('#login-error')).trim();
      assert.ok(message.length > 0, 'expected #login-error to say what went wrong, it is empty');
      assert.equal(
        await page.locator('main#timetable').count(),
        0,
        'expected no main#timetable after a refused login',
      );
      await expectVisible(page, 'form#login', 'the login form to stay after a refused login');
      await screenshot(page, 'login-error');
    } finally {
      await context.close();
    }
  });
});

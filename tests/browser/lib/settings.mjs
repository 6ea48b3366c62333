// Helpers for the settings view.

import { expectInPage, expectVisible } from './browser.mjs';

/** Opens the settings from the header button. */
export async function openSettings(page) {
  await page.locator('#open-settings').click();
  await expectVisible(page, 'main#settings', 'the settings view after the header\'s settings button');
}

/** `<html>`'s theme and language and the body's background colour. */
export async function rootState(page) {
  return page.evaluate(() => ({
    theme: document.documentElement.dataset.theme ?? null,
    lang: document.documentElement.lang,
    background: getComputedStyle(document.body).backgroundColor,
  }));
}

/** Waits until the sync indicator counts no local change waiting. */
export async function expectNothingPending(page, timeout = 20_000) {
  await expectInPage(
    page,
    'no local change waiting (#sync-pending absent or 0) and the indicator online',
    () =>
      document.querySelector('#sync-indicator')?.dataset.state === 'online' &&
      !/[1-9]/.test(document.querySelector('#sync-pending')?.textContent ?? ''),
    null,
    timeout,
  );
}

/** Waits until the sync indicator counts at least one local change waiting. */
export async function expectSomethingPending(page, timeout = 10_000) {
  await expectInPage(
    page,
    'a local change waiting to be sent (#sync-pending with a count)',
    () => /[1-9]/.test(document.querySelector('#sync-pending')?.textContent ?? ''),
    null,
    timeout,
  );
}

/** The notification settings as the settings view shows them. */
export async function shownNotificationSettings(page) {
  return page.evaluate(() => ({
    level: document.querySelector('#level-choice input:checked')?.id ?? null,
    categories: Object.fromEntries(
      [...document.querySelectorAll('#categories input[type=checkbox]')].map((i) => [i.id, i.checked]),
    ),
    quietStart: document.querySelector('#quiet-start')?.value ?? null,
    quietEnd: document.querySelector('#quiet-end')?.value ?? null,
  }));
}

/**
 * Makes every page of `context` record `<html>`'s theme, language and the body's background at
 * the moment the app first renders (its first `header` or `main`), before anything is painted
 * (a MutationObserver callback runs before the next frame): `window.__atFirstRender`.
 */
export async function recordFirstRender(context) {
  await context.addInitScript(() => {
    window.__atFirstRender = null;
    const observer = new MutationObserver(() => {
      if (window.__atFirstRender || !document.querySelector('header, main')) return;
      window.__atFirstRender = {
        theme: document.documentElement.dataset.theme ?? null,
        lang: document.documentElement.lang,
        background: getComputedStyle(document.body).backgroundColor,
      };
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

/** Turns notifications on in the open settings (as the stubbed subscription), named `label`. */
export async function enablePush(page, label) {
  await expectVisible(page, '#push-status[data-state="off"]', 'push supported and off before the tap');
  await page.fill('#push-label', label);
  await page.locator('#push-enable').click();
  await expectVisible(page, '#push-status[data-state="on"]', 'push on after the tap');
}

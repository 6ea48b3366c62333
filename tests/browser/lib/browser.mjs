// Headless Chromium (Debian's, through playwright-core), a phone-sized context, and the waits
// and checks the tests share. Every wait is bounded and says what it expected when it fails.

import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { chromium } from 'playwright-core';

import { RESULTS_DIR, SCREENSHOTS_DIR } from './paths.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The phone viewport of every context (and so of every screenshot). */
export const MOBILE_VIEWPORT = { width: 390, height: 844 };

/** Default bound of a Playwright action or wait. */
export const ACTION_TIMEOUT_MS = 15_000;

/** The demo accounts (README, `--demo`). */
export const STUDENT = { login: 'lea.martin', password: 'etudiant-demo', group: 'l2-info-a' };
export const TEACHER = { login: 'paul.durand', password: 'enseignant-demo' };
/** The demo vie scolaire (staff). */
export const STAFF = { login: 'vie.scolaire', password: 'scolarite-demo' };

/** The flags every headless Chromium of the suite and the benches starts with. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches Chromium with the flags of STACK.md. */
export async function launchBrowser() {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      timeout: 30_000,
      args: CHROMIUM_ARGS,
    });
  } catch (e) {
    throw new Error(
      `expected Chromium to start from ${CHROMIUM_PATH} (set CHROMIUM_PATH, or ` +
        `\`apt-get install chromium chromium-driver\`): ${e.message}`,
    );
  }
}

/**
 * A fresh phone-sized French context (its own cookies, service workers and IndexedDB), whose
 * pages log their console and errors to `test-results/console-<name>.log`.
 */
export async function newPhoneContext(browser, name) {
  const context = await browser.newContext({
    viewport: MOBILE_VIEWPORT,
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 1,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const logFile = path.join(RESULTS_DIR, `console-${name}.log`);
  writeFileSync(logFile, '');
  const errors = [];
  const log = (line) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  const watch = (page) => {
    page.on('console', (msg) => {
      log(`[${msg.type()}] ${msg.text()}`);
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (err) => {
      log(`[pageerror] ${err.message}`);
      errors.push(err.message);
    });
    page.on('worker', (worker) => {
      log(`[worker] started ${worker.url()}`);
      worker.on('console', (msg) => log(`[worker ${msg.type()}] ${msg.text()}`));
      worker.on('close', () => log(`[worker] closed ${worker.url()}`));
    });
    page.on('requestfailed', (req) => log(`[requestfailed] ${req.method()} ${req.url()}: ${req.failure()?.errorText}`));
    page.on('response', (res) => {
      if (res.status() >= 400) log(`[http ${res.status()}] ${res.request().method()} ${res.url()}`);
    });
    page.on('websocket', (ws) => {
      log(`[websocket] open ${ws.url()}`);
      ws.on('close', () => log(`[websocket] closed ${ws.url()}`));
      ws.on('socketerror', (e) => log(`[websocket] error ${e}`));
    });
  };
  context.on('page', watch);
  context.on('serviceworker', (worker) => log(`[serviceworker] ${worker.url()}`));
  /** The page errors seen so far (the last few), for failure messages. */
  context.recentErrors = () => errors.slice(-5);
  context.logFile = logFile;
  return context;
}

/** What the page shows, for failure messages: URL, console errors, the start of its text. */
export async function describePage(page) {
  let text = '';
  try {
    text = await page.evaluate(() => document.body?.innerText ?? '(no body)');
  } catch (e) {
    text = `(could not read the page: ${e.message})`;
  }
  text = text.replace(/\s+/g, ' ').trim().slice(0, 400);
  const errors = page.context().recentErrors?.() ?? [];
  let shot = '';
  try {
    const file = path.join(RESULTS_DIR, `failure-${Date.now()}.png`);
    await page.screenshot({ path: file, timeout: 5_000 });
    shot = `\n  screenshot: ${file}`;
  } catch {
    // The page may be gone; the text above is what we have.
  }
  return (
    `\n  url: ${page.url()}\n  page text: ${text || '(empty)'}` +
    shot +
    (errors.length ? `\n  page errors: ${errors.join(' | ')}` : '') +
    (page.context().logFile ? `\n  console log: ${page.context().logFile}` : '')
  );
}

/** Waits until `selector` is visible; fails saying what was expected and what is shown. */
export async function expectVisible(page, selector, what, timeout = ACTION_TIMEOUT_MS) {
  try {
    await page.locator(selector).first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(
      `expected ${what} (\`${selector}\` visible) within ${timeout / 1000} s` + (await describePage(page)),
    );
  }
}

/** Waits until `fn(arg)` is truthy in the page; fails saying what was expected. */
export async function expectInPage(page, what, fn, arg, timeout = ACTION_TIMEOUT_MS) {
  try {
    await page.waitForFunction(fn, arg, { timeout, polling: 100 });
  } catch (e) {
    const reason = e.name === 'TimeoutError' ? `within ${timeout / 1000} s` : `(${e.message})`;
    throw new Error(`expected ${what} ${reason}` + (await describePage(page)));
  }
}

/**
 * Saves a screenshot of the viewport to `screenshots/<name>.png`, after scrolling the first
 * element matching `focus` (if given) into view.
 */
export async function screenshot(page, name, focus = null) {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  if (focus) {
    await page.evaluate((sel) => document.querySelector(sel)?.scrollIntoView({ block: 'center' }), focus);
  }
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`) });
}

/** Opens the app and signs in through the login form; returns once the timetable is shown. */
export async function signIn(page, origin, account = STUDENT) {
  await page.goto(`${origin}/`);
  await expectVisible(page, 'form#login', 'the login form on a first visit');
  await page.fill('#login-user', account.login);
  await page.fill('#login-password', account.password);
  await page.locator('form#login [type="submit"]').click();
  await expectVisible(page, 'main#timetable', `the timetable after signing in as ${account.login}`, 20_000);
}

/** Waits until the sync indicator says `state`. */
export async function expectSyncState(page, state, timeout = 20_000) {
  await expectInPage(
    page,
    `#sync-indicator with data-state="${state}"`,
    (s) => document.querySelector('#sync-indicator')?.dataset.state === s,
    state,
    timeout,
  );
}

/**
 * Waits until a service worker controls the page (reloading once if the first visit is not
 * controlled yet, as happens when the worker does not claim its clients).
 */
export async function expectServiceWorkerControl(page) {
  const controlled = () => navigator.serviceWorker?.controller != null;
  try {
    await page.waitForFunction(controlled, null, { timeout: 10_000, polling: 100 });
    return;
  } catch {
    // Not controlled yet: the worker may be installed but not claiming; a reload is controlled.
  }
  await expectInPage(
    page,
    'a service worker registration that becomes active',
    () => navigator.serviceWorker?.getRegistration().then((r) => r?.active != null) ?? false,
    null,
    20_000,
  );
  await page.reload();
  await expectInPage(
    page,
    'the page to be controlled by the service worker (navigator.serviceWorker.controller) after a reload',
    controlled,
    null,
    10_000,
  );
}

/** The timetable as shown: every session's id and status, sorted by id. */
export async function shownSessions(page) {
  return page.$$eval('article.session', (articles) =>
    articles
      .map((a) => ({
        id: a.dataset.sessionId,
        status: a.dataset.status,
        cancelled: a.classList.contains('cancelled'),
      }))
      .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
  );
}

/** Shows a view of the app through its tab bar (`#tab-<id>` opens `main#<id>`). */
export async function openTab(page, id) {
  await page.locator(`#tab-${id}`).click();
  await expectVisible(page, `main#${id}`, `the ${id} view after choosing its tab`);
}

/** Polls `fn` (in Node) until it returns something truthy, at most `ms`; fails with `what`. */
export async function waitFor(what, fn, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`expected ${what} within ${ms / 1000} s`);
}

/** Every URL path the context requests from now on (pages and service workers). */
export function recordRequests(context) {
  const seen = [];
  context.on('request', (r) => seen.push(new URL(r.url()).pathname));
  return seen;
}

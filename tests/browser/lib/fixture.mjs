// Per test file: one server with a fresh data directory and one Chromium, both ended after.

import { after, before } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { CartableServer } from './server.mjs';

/**
 * Registers `before` / `after` hooks in the current `describe` and returns an object whose
 * `server` (a `CartableServer`) and `browser` are set once the hooks ran.
 */
export function useServerAndBrowser(name) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await CartableServer.start(name);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.dispose();
  });
  return env;
}

// Per test file: one server with a fresh data directory and one Chromium, both ended after.

import { createServer } from 'node:http';
import { after, before } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { FakePush } from './fake_push.mjs';
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

/**
 * [`useServerAndBrowser`], with a fake push service on loopback (`fake`) that the server is
 * allowed to push to.
 */
export function useServerBrowserAndFakePush(name) {
  const env = { fake: null, server: null, browser: null };
  before(async () => {
    env.fake = await FakePush.start();
    env.server = await CartableServer.start(name, ['--push-allow', env.fake.origin]);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.dispose();
    env.fake?.stop();
  });
  return env;
}

/**
 * [`useServerAndBrowser`], with a calendar feed served on loopback that the server may fetch
 * (`--feed-allow`): every request is answered with `respond()` (`{ type, body }`, may be
 * async), so a test switches what the feed says between fetches. `origin` is the feed's.
 */
export function useServerBrowserAndFeed(name, respond) {
  const env = { server: null, browser: null, feed: null, origin: null };
  before(async () => {
    env.feed = createServer(async (req, res) => {
      const { type, body } = await respond();
      res.writeHead(200, { 'Content-Type': type });
      res.end(body);
    });
    await new Promise((resolve) => env.feed.listen(0, '127.0.0.1', resolve));
    env.origin = `http://127.0.0.1:${env.feed.address().port}`;
    env.server = await CartableServer.start(name, ['--feed-allow', env.origin]);
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.dispose();
    await new Promise((resolve) => (env.feed ? env.feed.close(resolve) : resolve()));
  });
  return env;
}

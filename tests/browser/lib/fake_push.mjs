// The fake Web Push service of the tests (tests/fake_push/fake_push.py, run with the pinned
// interpreter `$CARTABLE_FAKE_PUSH_PYTHON` that `cargo xtask test` prepares): started on a
// loopback port, it creates subscriptions, decrypts what the server pushes and lists it.

import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.resolve(here, '..', '..', 'fake_push', 'fake_push.py');
const START_TIMEOUT_MS = 15_000;

export class FakePush {
  /** Starts the service; fails with a clear message if the interpreter is not set. */
  static async start() {
    const python = process.env.CARTABLE_FAKE_PUSH_PYTHON;
    if (!python) {
      throw new Error(
        'environment variable CARTABLE_FAKE_PUSH_PYTHON is not set: run the suite through ' +
          '`cargo xtask test` (it installs the fake push service\'s pinned packages in a venv)',
      );
    }
    const fake = new FakePush();
    fake.child = spawn(python, [SCRIPT, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = [];
    readline.createInterface({ input: fake.child.stderr }).on('line', (l) => lines.push(l));
    let timer;
    const origin = await Promise.race([
      new Promise((resolve) => {
        readline.createInterface({ input: fake.child.stdout }).on('line', (line) => {
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
          if (m) resolve(m[1]);
        });
      }),
      new Promise((resolve) => fake.child.once('exit', () => resolve(null))),
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(null), START_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!origin) {
      fake.stop();
      throw new Error(`the fake push service did not start (${SCRIPT}):\n${lines.slice(-20).join('\n')}`);
    }
    fake.origin = origin;
    return fake;
  }

  async #json(method, pathname, body) {
    const answer = await fetch(`${this.origin}${pathname}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    if (!answer.ok) throw new Error(`fake push ${method} ${pathname}: HTTP ${answer.status}`);
    return answer.status === 204 ? null : answer.json();
  }

  /** A new subscription: `{id, endpoint, keys: {p256dh, auth}}`. */
  subscribe() {
    return this.#json('POST', '/subscriptions', {});
  }

  /** The messages the service accepted for a subscription, decrypted. */
  messages(id) {
    return this.#json('GET', `/messages?subscription=${encodeURIComponent(id)}`);
  }

  stop() {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGTERM');
    this.child = null;
  }
}

/**
 * Replaces `PushManager.prototype.subscribe` / `getSubscription` in every page of `context` by
 * a stub that hands out `subscription` (one made by the fake service): headless Chromium cannot
 * create a real push subscription. The options the app passed are kept in
 * `window.__pushSubscribeOptions`; the stub's state survives reloads (sessionStorage).
 */
export async function stubPushSubscription(context, subscription) {
  await context.addInitScript((sub) => {
    if (!self.PushManager) return;
    const KEY = '__stubPushSubscribed';
    const make = () => ({
      endpoint: sub.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
      unsubscribe: () => {
        sessionStorage.removeItem(KEY);
        return Promise.resolve(true);
      },
    });
    PushManager.prototype.subscribe = function subscribe(options) {
      const key = options?.applicationServerKey;
      window.__pushSubscribeOptions = {
        userVisibleOnly: options?.userVisibleOnly,
        keyLength: key?.byteLength ?? (typeof key === 'string' ? -1 : null),
      };
      sessionStorage.setItem(KEY, '1');
      return Promise.resolve(make());
    };
    PushManager.prototype.getSubscription = function getSubscription() {
      return Promise.resolve(sessionStorage.getItem(KEY) ? make() : null);
    };
  }, subscription);
}

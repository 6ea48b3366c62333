// Starts the real Cartable server (`$CARTABLE_SERVER_BIN`) on a loopback port with a fresh
// data directory and the demo institution, and stops it. Every wait is bounded.

import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import { RESULTS_DIR } from './paths.mjs';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 40;

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `environment variable ${name} is not set: run the suite through \`cargo xtask test\` ` +
        '(or set CARTABLE_SERVER_BIN to the server binary and CARTABLE_DIST to the built dist/)',
    );
  }
  return value;
}

/** One server process, restartable on the same address and data directory. */
export class CartableServer {
  /**
   * Starts a server with a fresh data directory; `name` names its log file, `extraArgs` are
   * added to its command line (e.g. `['--push-allow', origin]`), `options.dist` serves another
   * copy of the app than `$CARTABLE_DIST`.
   */
  static async start(name, extraArgs = [], options = {}) {
    const server = new CartableServer(name);
    server.extraArgs = extraArgs;
    if (options.dist) server.dist = options.dist;
    server.dataDir = await mkdtemp(path.join(os.tmpdir(), `cartable-browser-${name}-`));
    await mkdir(RESULTS_DIR, { recursive: true });
    await writeFile(server.logPath(), '');
    try {
      await server.#spawn('127.0.0.1:0');
    } catch (e) {
      await rm(server.dataDir, { recursive: true, force: true });
      throw e;
    }
    return server;
  }

  constructor(name) {
    this.name = name;
    this.bin = requiredEnv('CARTABLE_SERVER_BIN');
    this.dist = requiredEnv('CARTABLE_DIST');
    this.dataDir = null;
    this.extraArgs = [];
    /** `http://127.0.0.1:PORT`, known once the server printed it. */
    this.origin = null;
    this.child = null;
    this.tail = [];
    this.log = null;
  }

  /** The last lines the server printed, for failure messages. */
  logTail() {
    return this.tail.join('\n');
  }

  /** `test-results/server-<name>.log`: everything the server printed in this run. */
  logPath() {
    return path.join(RESULTS_DIR, `server-${this.name}.log`);
  }

  async #spawn(listen) {
    this.log = createWriteStream(this.logPath(), { flags: 'a' });
    const args = ['--listen', listen, '--data-dir', this.dataDir, '--dist', this.dist, '--demo', ...this.extraArgs];
    this.log.write(`\n$ ${this.bin} ${args.join(' ')}\n`);
    const child = spawn(this.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
    });
    child.exitedPromise = exited;
    const onLine = (line) => {
      this.log.write(`${line}\n`);
      this.tail.push(line);
      if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
    };
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    const stdout = readline.createInterface({ input: child.stdout });

    const listening = new Promise((resolve) => {
      stdout.on('line', (line) => {
        onLine(line);
        const m = /listening on (http:\/\/[^\s/]+)/.exec(line);
        if (m) resolve(m[1]);
      });
    });
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), START_TIMEOUT_MS);
    });
    const outcome = await Promise.race([
      listening.then((origin) => ({ origin })),
      exited.then((exit) => ({ exit })),
      timeout.then(() => ({ timedOut: true })),
    ]);
    clearTimeout(timer);
    if (outcome.origin) {
      this.origin = outcome.origin;
      return;
    }
    const why = outcome.exit?.error
      ? `could not be started (${outcome.exit.error.message})`
      : outcome.exit
      ? `exited (code ${outcome.exit.code}, signal ${outcome.exit.signal}) before printing`
      : `did not print within ${START_TIMEOUT_MS / 1000} s`;
    await this.stop();
    throw new Error(
      `expected the server to print "listening on http://ADDR"; it ${why}.\n` +
        `command: ${this.bin} ${args.join(' ')}\nlast output (all in ${this.logPath()}):\n${this.logTail()}`,
    );
  }

  /** Stops the process: SIGTERM, then SIGKILL if it has not exited after a while. */
  async stop() {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer;
      const timedOut = await Promise.race([
        child.exitedPromise.then(() => false),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.log?.write(`(did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM: SIGKILL)\n`);
        child.kill('SIGKILL');
        await child.exitedPromise;
      }
    }
    await new Promise((resolve) => this.log.end(resolve));
  }

  /** Starts the server again on the same address and data directory. */
  async restart() {
    await this.stop();
    const listen = new URL(this.origin).host;
    await this.#spawn(listen);
  }

  /** Stops the server and removes its data directory. */
  async dispose() {
    await this.stop();
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

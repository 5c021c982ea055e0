/**
 * Child processes for the benchmark: start them pinned to a core, wait for their ports, and make
 * sure every one of them dies with the benchmark (normal end, error, Ctrl-C or SIGTERM).
 */
import { Buffer } from 'node:buffer';
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {Array<() => void>} */
const cleanups = [];

/** True when `name` is on the PATH. */
export function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tasksetPresent = hasCommand('taskset');

/** Pins this process (all its threads) to `core`; children inherit it unless started with their own core. */
export function pinSelf(core) {
  if (!tasksetPresent) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(core), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `command args` (through `taskset -c core` when a core is given; taskset execs, so the pid
 * is the command's own). Stdout is ignored unless `stdout: 'pipe'`; the stderr tail is kept for errors.
 * @param {string} command
 * @param {string[]} args
 * @param {{ core?: number, stdout?: 'ignore' | 'pipe', env?: NodeJS.ProcessEnv }} [options]
 */
export function startProcess(command, args, options = {}) {
  const pinned = options.core !== undefined && tasksetPresent;
  const child = spawn(pinned ? 'taskset' : command, pinned ? ['-c', String(options.core), command, ...args] : args, {
    stdio: ['ignore', options.stdout ?? 'ignore', 'pipe'],
    env: options.env ?? process.env,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return {
    child,
    pinned,
    get pid() {
      return child.pid;
    },
    stderrTail: () => stderr,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => stopProcess(child),
  };
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** Registers work to do on exit (e.g. removing a temporary directory); runs synchronously. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

function cleanupNow() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
}

/** Kills every child and runs the cleanups on exit, Ctrl-C, SIGTERM and uncaught errors. */
export function installCleanup() {
  process.once('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
      cleanupNow();
      process.exit(130);
    });
  }
  process.once('uncaughtException', (error) => {
    process.stderr.write(`bench: ${error?.stack ?? error}\n`);
    cleanupNow();
    process.exit(1);
  });
  process.once('unhandledRejection', (error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.stack : String(error)}\n`);
    cleanupNow();
    process.exit(1);
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Small HTTP request helper (no global fetch, so that the repository's lint config is happy).
 * @returns {Promise<{ status: number, body: string }>}
 */
export function httpRequest(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Polls `url` until it answers `expectStatus`; fails early when `proc` has exited.
 * @param {string} url
 * @param {{ proc?: ReturnType<typeof startProcess>, timeoutMs?: number, expectStatus?: number, name?: string }} [options]
 */
export async function waitForHttp(url, options = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last = '';
  while (Date.now() < deadline) {
    if (options.proc?.exited()) {
      throw new Error(`${options.name ?? url} exited before it was ready:\n${options.proc.stderrTail()}`);
    }
    try {
      const { status, body } = await httpRequest(url);
      if (status === (options.expectStatus ?? 200)) return;
      last = `HTTP ${status} ${body.slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${options.name ?? url} not ready after ${options.timeoutMs ?? 20_000} ms (${last})\n${options.proc?.stderrTail() ?? ''}`);
}

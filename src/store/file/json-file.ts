/**
 * Small JSON files under the data directory, changed safely by several processes at once (a server
 * and `nara` CLI commands): one lock file serialises writers, and each write goes to a temp file
 * that is fsynced and renamed over the old one, so a reader sees the old or the new file, never half
 * of one.
 */
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const lockWaitMs = 5_000;
/** A lock older than this was left by a process that died while holding it. */
const staleLockMs = 30_000;
const lockPollMs = 20;

let tempCounter = 0;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The parsed file, or undefined when it does not exist. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return JSON.parse(text) as unknown;
}

/**
 * The mtime to give a new version of `path`: now, but always later than the file it replaces.
 * Servers poll the mtime to see changes, and file timestamps tick only every few milliseconds, so
 * two writes within one tick would otherwise look like one.
 */
function nextMtimeSeconds(previousMtimeMs: number | undefined): number {
  const floor = previousMtimeMs === undefined ? 0 : Math.floor(previousMtimeMs) + 2;
  return Math.max(Date.now(), floor) / 1000;
}

function tempPathFor(path: string): string {
  tempCounter += 1;
  return `${path}.${process.pid}.${tempCounter}.tmp`;
}

function serialise(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Replaces `path` atomically (mode 0600). Call with the lock held. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  let previous: number | undefined;
  try {
    previous = (await stat(path)).mtimeMs;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const temp = tempPathFor(path);
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(serialise(value));
    await handle.utimes((await handle.stat()).atimeMs / 1000, nextMtimeSeconds(previous));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function lockTimeout(lockPath: string): Error {
  return new Error(`${lockPath} is held by another nara command; retry, or delete it if no nara command is running`);
}

/** Takes the lock file once; false when another holder has it (a stale one is removed first). */
function tryLockSync(lockPath: string): boolean {
  try {
    closeSync(openSync(lockPath, 'wx', 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let mtimeMs: number;
  try {
    mtimeMs = statSync(lockPath).mtimeMs;
  } catch {
    return false; // released between our two calls: try again
  }
  if (Date.now() - mtimeMs > staleLockMs) rmSync(lockPath, { force: true });
  return false;
}

/** Holders in this process queue here first, so they do not poll the lock file against each other. */
const localQueues = new Map<string, Promise<unknown>>();

/** Runs `action` holding the lock file, waiting without blocking the event loop. */
export async function withLock<T>(lockPath: string, action: () => Promise<T>): Promise<T> {
  const previous = localQueues.get(lockPath) ?? Promise.resolve();
  const run = previous.then(
    () => lockedAsync(lockPath, action),
    () => lockedAsync(lockPath, action),
  );
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  localQueues.set(lockPath, settled);
  try {
    return await run;
  } finally {
    // The last holder in the queue forgets it, so the map does not grow with finished locks.
    if (localQueues.get(lockPath) === settled) localQueues.delete(lockPath);
  }
}

async function lockedAsync<T>(lockPath: string, action: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + lockWaitMs;
  while (!tryLockSync(lockPath)) {
    if (Date.now() > deadline) throw lockTimeout(lockPath);
    await sleep(lockPollMs);
  }
  try {
    return await action();
  } finally {
    await rm(lockPath, { force: true });
  }
}

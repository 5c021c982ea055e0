/**
 * Runs the real `nara` CLI (bin/nara.js, which loads dist/) as a child process, with a clean
 * environment (no NARA_CONFIG / NARA_DATA_DIR) and a chosen working directory. Every process
 * started here is tracked so that a test can kill what is left, even after a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const naraBin = fileURLToPath(new URL('../../bin/nara.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Kill the process (SIGKILL) after this long; default 20 s. */
  readonly timeoutMs?: number;
}

const running = new Set<ChildProcess>();

function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NARA_CONFIG;
  delete env.NARA_DATA_DIR;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function start(args: readonly string[], options: CliOptions): ChildProcess {
  const child = spawn(process.execPath, [naraBin, ...args], { cwd: options.cwd, env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Runs one command to completion. */
export function runNara(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** The URL from the first "Nara is listening" log line. */
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** stdout parsed as JSON log lines (lines that are not JSON are skipped). */
  logs(): Record<string, unknown>[];
  signal(name: NodeJS.Signals): void;
  /** Exit code, signal, stdout and stderr, for failure messages. */
  describe(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-running `nara serve ...` and waits for its "Nara is listening" line. Rejects (and
 * kills the process) if it exits first or does not listen within `timeoutMs`.
 */
export async function startServe(args: readonly string[], options: CliOptions): Promise<ServeProcess> {
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const logs = (): Record<string, unknown>[] =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((exit) => (ended = exit));
  for (;;) {
    const listening = logs().find((line) => line.msg === 'Nara is listening');
    if (listening !== undefined && typeof listening.url === 'string') {
      const url = listening.url;
      return {
        child,
        url,
        stdout: () => stdout,
        stderr: () => stderr,
        logs,
        signal: (name) => void child.kill(name),
        describe: () => `nara ${args.join(' ')} (exit code ${child.exitCode}, signal ${child.signalCode})\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        exited,
      };
    }
    if (ended !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      const how = ended === undefined ? 'timed out' : `exited with code ${ended.code} signal ${ended.signal}`;
      throw new Error(`nara ${args.join(' ')} did not start listening (${how}).\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Kills (SIGKILL) every CLI process still running; for afterEach/afterAll. */
export function killAllNara(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

export function makeTempDir(prefix = 'nara-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/** Polls `check` until it returns a value other than undefined (for hooks, where expect.poll is not allowed). */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

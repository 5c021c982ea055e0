/**
 * wrk as the load generator: one thread (it shares one core with the fake engine), a Lua script for
 * the POST body and headers, and a parser for its `--latency` report.
 */
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasCommand } from './processes.js';

export const wrkPresent = () => hasCommand('wrk');

export function wrkVersion() {
  try {
    execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // wrk -v prints its banner and exits 1.
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return text.split('\n')[0]?.trim() ?? 'wrk';
  }
  return 'wrk';
}

let scriptCount = 0;

/** Writes a wrk Lua script that sends `body` with `headers` as a POST. */
export function writeWrkScript(dir, body, headers) {
  const lines = ['wrk.method = "POST"', `wrk.body = [==[${body}]==]`];
  for (const [name, value] of Object.entries(headers)) lines.push(`wrk.headers[ [==[${name}]==] ] = [==[${value}]==]`);
  scriptCount += 1;
  const file = join(dir, `wrk-${scriptCount}.lua`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const timeUnits = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1.23ms" → 1.23 (milliseconds). */
export function parseWrkTime(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (match === null) return Number.NaN;
  return Number(match[1]) * timeUnits[match[2]];
}

/** Parses wrk's report (run with --latency). Latencies in ms. */
export function parseWrkOutput(text) {
  const percentile = (p) => {
    const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(text);
    return match === null ? Number.NaN : parseWrkTime(match[1]);
  };
  const requests = /(\d+) requests in ([\d.]+\w+)/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const avg = /Latency\s+(\S+)/.exec(text);
  return {
    requests: requests === null ? 0 : Number(requests[1]),
    seconds: requests === null ? Number.NaN : parseWrkTime(requests[2]) / 1000,
    rps: rps === null ? Number.NaN : Number(rps[1]),
    latencyMs: { avg: avg === null ? Number.NaN : parseWrkTime(avg[1]), p50: percentile(50), p75: percentile(75), p90: percentile(90), p99: percentile(99) },
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors: socket === null ? { connect: 0, read: 0, write: 0, timeout: 0 } : { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) },
  };
}

/**
 * Runs wrk once.
 * @param {{ url: string, script: string, connections: number, durationSec: number, core?: number }} options
 */
export function runWrk({ url, script, connections, durationSec, core }) {
  const args = ['-t1', `-c${connections}`, `-d${durationSec}s`, '--latency', '--timeout', '10s', '-s', script, url];
  const command = core === undefined ? 'wrk' : 'taskset';
  const argv = core === undefined ? args : ['-c', String(core), 'wrk', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.once('error', reject);
    child.once('close', (code) => {
      process.removeListener('exit', kill);
      if (code !== 0) return reject(new Error(`wrk exited with ${code}:\n${out}`));
      resolve({ ...parseWrkOutput(out), raw: out });
    });
  });
}

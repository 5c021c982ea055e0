/**
 * How busy the machine was with work other than the benchmark: CPU time from /proc/stat minus the
 * CPU time of this script, its reaped children (wrk), the fake engine and Nara. Other engineers'
 * builds and tests on the same 2 cores show up here, and explain noisy figures.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineBusyTicks() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq] = fields;
  return user + nice + system + irq + softirq;
}

/** utime + stime (+ cutime + cstime, the reaped children) of a process, in ticks. */
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return fields[11] + fields[12] + fields[13] + fields[14];
  } catch {
    return 0;
  }
}

/**
 * Starts measuring; call the result to get { otherCoreSeconds, otherShare, benchCoreSeconds, wallSeconds }.
 * @param {() => number[]} pids the bench's long-lived processes (besides this one)
 */
export function startInterferenceProbe(pids) {
  if (!safe(() => readFileSync('/proc/stat'))) return () => undefined;
  const ours = () => [process.pid, ...pids()].reduce((sum, pid) => sum + processTicks(pid), 0);
  const started = { at: Date.now(), busy: machineBusyTicks(), ours: ours() };
  return () => {
    const wallSeconds = (Date.now() - started.at) / 1000;
    const busy = (machineBusyTicks() - started.busy) / TICKS_PER_SECOND;
    const bench = (ours() - started.ours) / TICKS_PER_SECOND;
    const other = Math.max(0, busy - bench);
    return { wallSeconds: round(wallSeconds), benchCoreSeconds: round(bench), otherCoreSeconds: round(other), otherShare: round(other / wallSeconds / cpus().length) };
  };
}

function safe(fn) {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

const round = (value) => Math.round(value * 100) / 100;

/** CPU seconds (user + system) used so far by a process, from /proc (Linux); 0 when unreadable. */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

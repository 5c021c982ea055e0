/** autocannon (programmatic API) as the fallback load generator when wrk is not installed. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function autocannonVersion() {
  return `autocannon ${require('autocannon/package.json').version}`;
}

/**
 * Runs autocannon once, in this process (which is pinned to the load-generator core).
 * Either `durationSec` or `amount` (a number of requests).
 */
export async function runAutocannon({ url, body, headers, connections, durationSec, amount }) {
  const { default: autocannon } = await import('autocannon');
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body,
    connections,
    timeout: 10,
    ...(amount === undefined ? { duration: durationSec } : { amount }),
  });
  const seconds = result.duration;
  return {
    requests: result.requests.total,
    seconds,
    rps: result.requests.total / seconds,
    latencyMs: { avg: result.latency.average, p50: result.latency.p50, p75: result.latency.p75, p90: result.latency.p90, p99: result.latency.p99 },
    non2xx: result.non2xx,
    socketErrors: { connect: 0, read: 0, write: 0, timeout: result.timeouts, errors: result.errors },
    raw: undefined,
  };
}

/**
 * Time to first chunk of a streamed answer, measured with a plain node:http client: sequential
 * requests on one keep-alive connection, timed from just before the request is written to the first
 * body bytes that hold `data:` (not the headers, which Nara flushes early).
 */
import { Buffer } from 'node:buffer';
import { Agent, request } from 'node:http';
import { hrtime } from 'node:process';
import { quantile } from './stats.js';

/** One streamed request; resolves with { ttfcMs, totalMs, events }. */
function streamOnce(agent, url, body, headers) {
  return new Promise((resolve, reject) => {
    const started = hrtime.bigint();
    let firstAt;
    let events = 0;
    let text = '';
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (firstAt === undefined && chunk.includes('data:')) firstAt = hrtime.bigint();
        if (res.statusCode !== 200) text += chunk;
        events += chunk.split('data:').length - 1;
      });
      res.on('end', () => {
        const ended = hrtime.bigint();
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode} from ${url}: ${text.slice(0, 300)}`));
        if (firstAt === undefined) return reject(new Error(`no data: event from ${url}`));
        resolve({ ttfcMs: Number(firstAt - started) / 1e6, totalMs: Number(ended - started) / 1e6, events });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * @param {{ url: string, body: string, headers: Record<string, string>, iterations: number, warmup: number }} options
 */
export async function measureTtfc({ url, body, headers, iterations, warmup }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let index = 0; index < warmup; index += 1) await streamOnce(agent, url, body, headers);
    const ttfc = new Float64Array(iterations);
    const total = new Float64Array(iterations);
    let events = 0;
    for (let index = 0; index < iterations; index += 1) {
      const sample = await streamOnce(agent, url, body, headers);
      ttfc[index] = sample.ttfcMs;
      total[index] = sample.totalMs;
      events = sample.events;
    }
    ttfc.sort();
    total.sort();
    return {
      iterations,
      eventsPerStream: events,
      ttfcMs: { p50: quantile(ttfc, 0.5), p90: quantile(ttfc, 0.9), p99: quantile(ttfc, 0.99), min: ttfc[0], max: ttfc[iterations - 1] },
      totalMs: { p50: quantile(total, 0.5), p99: quantile(total, 0.99) },
    };
  } finally {
    agent.destroy();
  }
}

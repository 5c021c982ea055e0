/** Streams are forwarded as they arrive, and a slow client slows the engine down instead of filling Nara's memory. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';

let paced: FakeEngine;
let bulky: FakeEngine;
let harness: Harness;
let key: string;

beforeAll(async () => {
  paced = await startFakeEngine({ chunkDelayMs: 400, pieces: ['first', ' second', ' third'] });
  // 800 chunks of 64 KB (50 MB): far more than the loopback socket buffers on the way can hold.
  bulky = await startFakeEngine({ pieces: Array.from({ length: 800 }, () => 'x'.repeat(64 * 1024)) });
  harness = await startHarness(`
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - { id: paced, url: "${paced.url}", jurisdiction: KR, models: [paced] }
  - { id: bulky, url: "${bulky.url}", jurisdiction: KR, models: [bulky], timeouts: { idleMs: 10000 } }
tenants:
  - { id: moi, jurisdictions: [KR] }
`);
  key = await harness.createKey('moi');
});

afterAll(async () => {
  await harness.close();
  await paced.close();
  await bulky.close();
});

function openStream(model: string): Promise<IncomingMessage> {
  const url = new URL(`${harness.url}/v1/chat/completions`);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, resolve);
    request.on('error', reject);
    request.end(JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }));
  });
}

describe('streaming', () => {
  it('forwards each chunk when the engine sends it, not when the answer ends', async () => {
    const started = Date.now();
    const response = await openStream('paced');
    const arrivals: { text: string; at: number }[] = [];
    for await (const part of response) {
      const text = (part as Buffer).toString();
      for (const match of text.matchAll(/"content":"([^"]+)"/g)) arrivals.push({ text: match[1] ?? '', at: Date.now() - started });
    }
    expect(arrivals.map((arrival) => arrival.text)).toEqual(['first', ' second', ' third']);
    // The engine waits 400 ms between chunks; buffering would deliver all three together at the end.
    expect((arrivals[1]?.at ?? 0) - (arrivals[0]?.at ?? 0)).toBeGreaterThan(250);
    expect((arrivals[2]?.at ?? 0) - (arrivals[1]?.at ?? 0)).toBeGreaterThan(250);
  });

  it('passes back-pressure from a client that stops reading on to the engine', async () => {
    const response = await openStream('bulky');
    response.pause();
    // Nara stops reading from the engine once its socket to the client is full, so the engine's
    // unsent bytes stay on the engine's side instead of moving into Nara's memory (which would
    // take well under a second on loopback).
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(bulky.streamBacklog()).toBeGreaterThan(16 * 1024 * 1024);
    let received = 0;
    response.on('data', (part: Buffer) => (received += part.length));
    response.resume();
    await new Promise((resolve) => response.on('end', resolve));
    expect(received).toBeGreaterThan(800 * 64 * 1024);
  });
});

describe('a client that stops reading for good', () => {
  it('is disconnected after server.clientStallMs, freeing the engine slot', async () => {
    const stalled = await startHarness(`
server: { clientStallMs: 500 }
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - { id: bulky, url: "${bulky.url}", jurisdiction: KR, models: [bulky], timeouts: { idleMs: 10000 } }
tenants:
  - { id: moi, jurisdictions: [KR] }
`);
    try {
      const stalledKey = await stalled.createKey('moi');
      const url = new URL(`${stalled.url}/v1/chat/completions`);
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const request = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${stalledKey}` } }, resolve);
        request.on('error', reject);
        request.end(JSON.stringify({ model: 'bulky', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
      });
      response.pause();
      const slot = () => stalled.nara.gateway().table.slots[0];
      expect(slot()?.inFlight).toBe(1);
      await expect.poll(() => slot()?.inFlight, { timeout: 5_000 }).toBe(0);
      const line = stalled.logs.filter((entry) => entry.msg === 'request').at(-1);
      expect(line?.status).toBe(499);
      response.destroy();
    } finally {
      await stalled.close();
    }
  });
});

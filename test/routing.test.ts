/**
 * Jurisdiction-aware routing over real HTTP engines: failover stays inside the policy, circuit
 * breaking, health probing, load spreading, and policy changes on reload.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';

let seoulA: FakeEngine;
let seoulB: FakeEngine;
let tokyo: FakeEngine;
let harness: Harness;
let koreaKey: string;
let asiaKey: string;

const chat = { model: 'hcx-seed', messages: [{ role: 'user', content: '안녕' }] };

function config(tenantJurisdictions = '[KR]'): string {
  return `
routing:
  maxAttempts: 3
  circuitBreaker: { failureThreshold: 2, cooldownMs: 300 }
  healthCheck: { intervalMs: 0 }
backends:
  - id: seoul-a
    url: ${seoulA.url}
    jurisdiction: KR
    models: [hcx-seed]
    timeouts: { firstByteMs: 400, idleMs: 400 }
  - id: seoul-b
    url: ${seoulB.url}
    jurisdiction: KR
    models: [hcx-seed]
    timeouts: { firstByteMs: 400, idleMs: 400 }
  - id: tokyo
    url: ${tokyo.url}
    jurisdiction: JP
    models: [hcx-seed, plamo]
tenants:
  - id: moi
    jurisdictions: ${tenantJurisdictions}
  - id: asean-desk
    jurisdictions: [KR, JP]
`;
}

beforeAll(async () => {
  [seoulA, seoulB, tokyo] = await Promise.all([startFakeEngine(), startFakeEngine(), startFakeEngine()]);
  harness = await startHarness(config());
  koreaKey = await harness.createKey('moi');
  asiaKey = await harness.createKey('asean-desk');
});

afterAll(async () => {
  await harness.close();
  await Promise.all([seoulA.close(), seoulB.close(), tokyo.close()]);
});

afterEach(async () => {
  for (const engine of [seoulA, seoulB, tokyo]) engine.behave('ok');
  await harness.reload(config());
  for (const slot of harness.nara.gateway().table.slots) {
    slot.circuit.onSuccess();
    slot.healthy = true;
  }
});

async function send(key: string, body: unknown = chat) {
  const response = await harness.post('/v1/chat/completions', body, key);
  return { response, json: (await response.json()) as { error?: { code: string; message: string } } };
}

describe('residency', () => {
  it('refuses a model served only abroad with 403 naming the policy, and sends nothing', async () => {
    const before = tokyo.hits();
    const { response, json } = await send(koreaKey, { ...chat, model: 'plamo' });
    expect(response.status).toBe(403);
    expect(json.error?.code).toBe('jurisdiction_not_allowed');
    expect(json.error?.message).toContain("tenant 'moi' may send data only to KR");
    expect(json.error?.message).toContain('served only in JP');
    expect(tokyo.hits()).toBe(before);
  });

  it('lets a tenant allowed in JP use it', async () => {
    const { response } = await send(asiaKey, { ...chat, model: 'plamo' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-nara-jurisdiction')).toBe('JP');
  });
});

describe('failover inside the policy', () => {
  for (const behaviour of ['error-500', 'error-429', 'reset', 'hang'] as const) {
    it(`moves to the other Korean engine when one answers ${behaviour}`, async () => {
      seoulA.behave(behaviour);
      const tokyoBefore = tokyo.hits();
      const { response } = await send(koreaKey);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-nara-backend')).toBe('seoul-b');
      expect(tokyo.hits()).toBe(tokyoBefore);
    });
  }

  it('answers 503 naming the model and policy when every Korean engine fails, never falling back to Japan', async () => {
    seoulA.behave('reset');
    seoulB.behave('reset');
    const tokyoBefore = tokyo.hits();
    const first = await send(koreaKey);
    expect(first.response.status).toBe(502);
    expect(first.json.error?.code).toBe('upstream_error');
    // Both circuits open after two failures each: now Nara says plainly that nothing allowed is healthy.
    await send(koreaKey);
    const { response, json } = await send(koreaKey);
    expect(response.status).toBe(503);
    expect(json.error?.code).toBe('no_healthy_backend');
    expect(json.error?.message).toContain("model 'hcx-seed'");
    expect(json.error?.message).toContain("tenant 'moi' policy (KR)");
    expect(response.headers.get('retry-after')).toBe('5');
    expect(tokyo.hits()).toBe(tokyoBefore);
  });

  it('does not retry an engine 400: the request itself is at fault', async () => {
    seoulA.behave('error-400');
    seoulB.behave('error-400');
    const before = seoulA.hits() + seoulB.hits();
    const { response, json } = await send(koreaKey);
    expect(response.status).toBe(400);
    expect(json.error?.code).toBe('upstream_rejected');
    expect(json.error?.message).toContain('max_tokens is too large');
    expect(seoulA.hits() + seoulB.hits() - before).toBe(1);
  });

  it('closes the circuit again after the cool-down when the engine recovers', async () => {
    seoulA.behave('error-500');
    seoulB.behave('error-500');
    for (let i = 0; i < 3; i += 1) await send(koreaKey);
    expect(harness.nara.gateway().table.slots.filter((slot) => slot.circuit.state() === 'open')).toHaveLength(2);
    seoulA.behave('ok');
    seoulB.behave('ok');
    await new Promise((resolve) => setTimeout(resolve, 350));
    const { response } = await send(koreaKey);
    expect(response.status).toBe(200);
  });
});

describe('balancing and health', () => {
  it('spreads concurrent requests over both Korean engines', async () => {
    const a = seoulA.hits();
    const b = seoulB.hits();
    await Promise.all(Array.from({ length: 20 }, () => send(koreaKey)));
    expect(seoulA.hits() - a).toBeGreaterThan(2);
    expect(seoulB.hits() - b).toBeGreaterThan(2);
  });

  it('skips a back end whose health probe fails, and /readyz shows it', async () => {
    seoulA.behave('error-500');
    const prober = (await import('../src/gateway/health-prober.js')).HealthProber;
    await new prober(() => harness.nara.gateway().table.slots, { intervalMs: 0, timeoutMs: 500 }, []).probeAll();
    seoulA.behave('ok');
    const before = seoulA.hits();
    for (let i = 0; i < 4; i += 1) expect((await send(koreaKey)).response.headers.get('x-nara-backend')).toBe('seoul-b');
    expect(seoulA.hits()).toBe(before);
    const ready = (await (await fetch(`${harness.url}/readyz`)).json()) as { ready: boolean; backends: { id: string; healthy: boolean }[] };
    expect(ready.ready).toBe(true);
    expect(ready.backends.find((backend) => backend.id === 'seoul-a')?.healthy).toBe(false);
    expect(JSON.stringify(ready)).not.toContain('127.0.0.1');
  });
});

describe('reload', () => {
  it('keeps a back end (engine, connections, counters) when only its weight or models change, and replaces it when it moves', async () => {
    const before = harness.nara.gateway().table.slotById('seoul-b');
    await harness.reload(config().replace(`    url: ${seoulB.url}\n    jurisdiction: KR\n    models: [hcx-seed]`, `    url: ${seoulB.url}\n    jurisdiction: KR\n    weight: 3\n    models: [hcx-seed, extra]`));
    const kept = harness.nara.gateway().table.slotById('seoul-b');
    expect(kept).toBe(before);
    expect(kept?.config.weight).toBe(3);
    expect(harness.nara.gateway().table.serves('extra')).toBe(true);
    await harness.reload(config().replace(`    url: ${seoulB.url}\n    jurisdiction: KR`, `    url: ${seoulB.url}\n    jurisdiction: JP`));
    const moved = harness.nara.gateway().table.slotById('seoul-b');
    expect(moved).not.toBe(before);
    expect(moved?.jurisdiction).toBe('JP');
  });

  it('applies a narrowed policy at once, including to /v1/models', async () => {
    expect((await send(asiaKey, { ...chat, model: 'plamo' })).response.status).toBe(200);
    await harness.reload(config().replace('jurisdictions: [KR, JP]', 'jurisdictions: [KR]'));
    expect((await send(asiaKey, { ...chat, model: 'plamo' })).response.status).toBe(403);
    const models = (await (await fetch(`${harness.url}/v1/models`, { headers: { authorization: `Bearer ${asiaKey}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(['hcx-seed']);
  });

  it('binds a request already in flight: after the policy narrows, its retry does not go abroad', async () => {
    // asean-desk may use KR and JP; the Korean engine hangs, then the policy drops JP mid-request.
    seoulA.behave('hang');
    seoulB.behave('hang');
    const tokyoBefore = tokyo.hits();
    const pending = send(asiaKey);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await harness.reload(config().replace('jurisdictions: [KR, JP]', 'jurisdictions: [KR]'));
    const { response } = await pending;
    expect(response.status).not.toBe(200);
    expect(tokyo.hits()).toBe(tokyoBefore);
  });
});

/**
 * The pipeline in process, without HTTP: each named stage leaves a record on the request's trail,
 * which observers receive with the finished request (and the audit log will append later).
 */
import { describe, expect, it } from 'vitest';
import type { KeyIndex } from '../src/spec/auth.js';
import { engineSpecVersion, type Engine } from '../src/spec/engine.js';
import { NaraError } from '../src/spec/errors.js';
import type { Operation } from '../src/spec/openai.js';
import { BackendSlot } from '../src/gateway/backend-slot.js';
import type { RequestRecord } from '../src/gateway/events.js';
import { Gateway } from '../src/gateway/gateway.js';
import { createContext } from '../src/gateway/request-context.js';
import { RoutingTable } from '../src/gateway/routing-table.js';
import { parseConfig } from './support/nara-harness.js';

const config = parseConfig(
  `
backends:
  - { id: seoul, url: "http://127.0.0.1:1/v1", jurisdiction: KR, models: [hcx] }
  - { id: tokyo, url: "http://127.0.0.1:2/v1", jurisdiction: JP, models: [plamo] }
tenants:
  - { id: moi, jurisdictions: [KR] }
`,
  '/tmp/unused',
);

const keys: KeyIndex = {
  lookup: (token) => (token === 'good' ? { status: 'active', principal: { tenantId: 'moi', keyId: 'key_1', keyLimits: undefined, keyModels: undefined } } : { status: 'unknown' }),
};

function engine(id: string, fail: boolean): Engine {
  return {
    specVersion: engineSpecVersion,
    id,
    operations: new Set<Operation>(['chat']),
    doGenerate: async () => {
      if (fail) throw new NaraError('upstream_error', 'down');
      return { body: '{"choices":[{"message":{"content":"hi"}}]}', usage: { promptTokens: 3, completionTokens: 1, cachedTokens: 0, estimated: false } };
    },
    doEmbed: async () => ({ body: '{}', usage: undefined }),
    doStream: async () => {
      throw new NaraError('unsupported_parameter', 'not streamed in these tests');
    },
    checkHealth: async () => ({ healthy: true }),
    close: async () => undefined,
  };
}

function gatewayWith(seoulFails: boolean) {
  const records: RequestRecord[] = [];
  const slots = config.backends.map((backend) => new BackendSlot(backend, engine(backend.id, seoulFails), config.routing.circuitBreaker));
  const gateway = new Gateway(new RoutingTable(config, slots), keys, [{ onRequestEnd: (record) => records.push(record) }]);
  return { gateway, records };
}

async function run(gateway: Gateway, body: object, token = 'good') {
  const context = createContext('req-1', 'chat');
  const error = await gateway.handle(context, `Bearer ${token}`, Buffer.from(JSON.stringify(body))).then(
    () => undefined,
    (caught: unknown) => caught as NaraError,
  );
  gateway.finish(context, error?.status ?? 200, error?.code);
  return error;
}

describe('stage trail', () => {
  it('records every stage of a successful request, with notes and no raw values', async () => {
    const { gateway, records } = gatewayWith(false);
    await run(gateway, { model: 'hcx', messages: [{ role: 'user', content: '비밀 내용' }] });
    const record = records[0];
    expect(record?.trail.map((entry) => `${entry.stage}:${entry.ok}`)).toEqual(['authenticate:true', 'parse:true', 'resolve-model:true', 'residency:true', 'pii:true', 'safety:true', 'route:true', 'safety-answer:true']);
    // Safety by default: term lists in monitor mode, nothing found in this prompt.
    expect(record?.trail.find((entry) => entry.stage === 'safety')?.note).toBe('action=off hazards=');
    expect(record?.trail.find((entry) => entry.stage === 'residency')?.note).toBe('candidates=1 denied=0');
    // No PII policy: the stage says so and scanned nothing.
    expect(record?.trail.find((entry) => entry.stage === 'pii')?.note).toBe('off');
    expect(record?.trail.find((entry) => entry.stage === 'route')?.note).toBe('backend=seoul attempts=1');
    expect(JSON.stringify(record)).not.toContain('비밀');
    expect(record).toMatchObject({ tenantId: 'moi', keyId: 'key_1', backendId: 'seoul', jurisdiction: 'KR', status: 200, usage: { promptTokens: 3 } });
  });

  it('stops at the stage that refused, with its code', async () => {
    const { gateway, records } = gatewayWith(false);
    await run(gateway, { model: 'plamo', messages: [{ role: 'user', content: 'hi' }] });
    await run(gateway, { model: 'hcx', messages: [] });
    await run(gateway, { model: 'hcx', messages: [{ role: 'user', content: 'hi' }] }, 'bad');
    expect(records.map((record) => record.trail.at(-1))).toEqual([
      { stage: 'residency', ok: false, code: 'jurisdiction_not_allowed' },
      { stage: 'parse', ok: false, code: 'invalid_request' },
      { stage: 'authenticate', ok: false, code: 'invalid_api_key' },
    ]);
  });

  it('records a failed route with its code and attempts', async () => {
    const { gateway, records } = gatewayWith(true);
    const error = await run(gateway, { model: 'hcx', messages: [{ role: 'user', content: 'hi' }] });
    expect(error?.code).toBe('upstream_error');
    expect(records[0]?.trail.at(-1)).toEqual({ stage: 'route', ok: false, code: 'upstream_error', note: 'attempts=1' });
  });
});

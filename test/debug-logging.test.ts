/** Prompt text appears in logs only when an operator asks for it: `logging.debugBodies` at debug level. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { startHarness, type Harness } from './support/nara-harness.js';

const prompt = '주민등록번호 900101-1234567 확인해 주세요';
let engine: FakeEngine;

beforeAll(async () => {
  engine = await startFakeEngine();
});

afterAll(async () => {
  await engine.close();
});

async function logsOf(logging: string): Promise<string> {
  const harness: Harness = await startHarness(`
logging: ${logging}
routing: { healthCheck: { intervalMs: 0 } }
backends:
  - { id: seoul, url: "${engine.url}", jurisdiction: KR, models: [hcx] }
tenants:
  - { id: moi, jurisdictions: [KR] }
`);
  try {
    const key = await harness.createKey('moi');
    const response = await harness.post('/v1/chat/completions', { model: 'hcx', messages: [{ role: 'user', content: prompt }] }, key);
    expect(response.status).toBe(200);
    return harness.rawLogs();
  } finally {
    await harness.close();
  }
}

describe('debug body logging', () => {
  it('is off by default, even at debug level', async () => {
    const logs = await logsOf('{ level: debug }');
    expect(logs).toContain('"msg":"request"');
    expect(logs).not.toContain('900101');
  });

  it('logs the request body and the answer when debugBodies is on at debug level', async () => {
    const logs = await logsOf('{ level: debug, debugBodies: true }');
    expect(logs).toContain('900101-1234567');
    expect(logs).toContain('"msg":"answer body"');
  });

  it('stays silent at info level even with debugBodies on', async () => {
    const logs = await logsOf('{ level: info, debugBodies: true }');
    expect(logs).not.toContain('900101');
  });
});

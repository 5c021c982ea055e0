/**
 * `kill -9` under load, strict mode: afterwards the log verifies, and every request that got a
 * complete response has its event (it was fsynced before the response's last byte). A restarted
 * server cuts off the partial line a killed write may have left and carries on the same tree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeEngine, type FakeEngine } from '../src/dev/fake-engine.js';
import { killAllNara, makeTempDir, removeDir, runNara, startServe } from './support/cli-process.js';
import { listSegments, readSegmentLines } from '../src/store/audit/segment-files.js';

let engine: FakeEngine;
let cwd: string;

beforeAll(async () => {
  engine = await startFakeEngine();
  cwd = makeTempDir();
  writeFileSync(
    join(cwd, 'nara.yaml'),
    `server: { port: 0 }\naudit: { mode: strict, origin: crash.test/log }\nbackends:\n  - id: seoul\n    url: ${engine.url}\n    jurisdiction: KR\n    models: [seed]\ntenants:\n  - id: moi\n    jurisdictions: [KR]\n`,
  );
});

afterAll(async () => {
  killAllNara();
  removeDir(cwd);
  await engine.close();
});

function loggedRequestIds(dir: string): Set<string> {
  const ids = new Set<string>();
  for (const segment of listSegments(join(dir, 'segments'))) {
    for (const line of readSegmentLines(segment.path).lines) ids.add((JSON.parse(line.toString('utf8')) as { requestId: string }).requestId);
  }
  return ids;
}

describe('kill -9 under load (strict mode)', () => {
  it('loses no event of a request that got a complete response, and the log still verifies', async () => {
    const key = (await runNara(['keys', 'create', '--tenant', 'moi'], { cwd })).stdout.trim();
    const nara = await startServe(['serve'], { cwd });
    const dispatcher = new Agent({ connections: 16 });
    const completed: string[] = [];
    let running = true;
    let sequence = 0;
    const worker = async () => {
      while (running) {
        const id = `crash-${(sequence += 1)}`;
        try {
          const answer = await request(`${nara.url}/v1/chat/completions`, {
            method: 'POST',
            dispatcher,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': id },
            body: JSON.stringify({ model: 'seed', messages: [{ role: 'user', content: 'hi' }] }),
          });
          const text = await answer.body.text();
          if (answer.statusCode === 200 && text.endsWith('}')) completed.push(id);
        } catch {
          // the server died mid-request: this one never completed
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    await new Promise((resolve) => setTimeout(resolve, 800));
    nara.signal('SIGKILL');
    await nara.exited;
    running = false;
    await Promise.all(workers);
    await dispatcher.close();
    expect(completed.length).toBeGreaterThan(50);

    const dir = join(cwd, '.nara', 'audit');
    const logged = loggedRequestIds(dir);
    const missing = completed.filter((id) => !logged.has(id));
    expect(missing).toEqual([]);

    const verified = await runNara(['audit', 'verify', '--dir', dir, '--origin', 'crash.test/log'], { cwd });
    expect(verified.stdout).toMatch(/^OK: \d+ events/);
    expect(verified.code).toBe(0);

    // A restart cuts off a partial line, continues the tree, and the log still verifies.
    const restarted = await startServe(['serve'], { cwd });
    const answer = await fetch(`${restarted.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': 'after-restart' },
      body: JSON.stringify({ model: 'seed', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.status).toBe(200);
    restarted.signal('SIGTERM');
    await restarted.exited;
    expect(loggedRequestIds(dir).has('after-restart')).toBe(true);
    const again = await runNara(['audit', 'verify', '--dir', dir, '--origin', 'crash.test/log'], { cwd });
    expect(again.stderr).not.toContain('partial line');
    expect(again.stdout).toMatch(/^OK: \d+ events and [1-9]\d* signed checkpoints/);
  });
});

describe('one writer per audit log', () => {
  it('refuses to start a second server on the same audit directory, saying what to do', async () => {
    const first = await startServe(['serve'], { cwd });
    try {
      const second = await runNara(['serve'], { cwd, timeoutMs: 15_000 });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain('is in use by another Nara process');
      expect(second.stderr).toContain('--data-dir');
    } finally {
      first.signal('SIGTERM');
      await first.exited;
    }
    // Once the first has stopped, the directory is free again.
    const again = await startServe(['serve'], { cwd });
    again.signal('SIGTERM');
    expect((await again.exited).code).toBe(0);
  });
});

/**
 * The appender behind provenance.jsonl and detection.jsonl: lines of one turn go out together, in
 * order, and a disk that refuses them (here /dev/full, which answers every write with ENOSPC) is
 * reported — the bytes are kept for a retry, never dropped silently.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchedAppender } from '../src/store/audit/batched-appender.js';

const dir = mkdtempSync(join(tmpdir(), 'nara-appender-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchedAppender', () => {
  it('writes the lines of a turn in order, and cuts a torn tail when asked', async () => {
    const path = join(dir, 'lines.jsonl');
    writeFileSync(path, '{"a":1}\n{"torn');
    const appender = await BatchedAppender.open(path, 8);
    for (let index = 0; index < 100; index += 1) appender.append(`{"n":${index}}\n`);
    await nextTurn();
    await nextTurn();
    const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
    expect(lines[0]).toBe('{"a":1}');
    expect(lines.slice(1)).toEqual(Array.from({ length: 100 }, (_, index) => `{"n":${index}}`));
    await appender.close();
  });

  it.runIf(existsSync('/dev/full'))('keeps what a full disk refused and says so on close', async () => {
    const appender = await BatchedAppender.open('/dev/full');
    appender.append('{"lost?":"no"}\n');
    await nextTurn();
    await nextTurn();
    expect(appender.problem).toBe('ENOSPC');
    await expect(appender.close()).rejects.toThrow('closed with unwritten lines: ENOSPC');
  });
});

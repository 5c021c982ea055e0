/**
 * `nara pii scan|redact`, spawned from dist/ (run `npm run build` first), plus the pure
 * ChunkedScanner it streams through: offsets into the whole input, each entity once even when it
 * lies across a read boundary, and no original ID left in the transformed text.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkedScanner } from '../src/pii/chunked-scan.js';
import { scan } from '../src/pii/scanner.js';
import { killAllNara, makeTempDir, naraBin, removeDir, runNara } from './support/cli-process.js';

interface Line {
  readonly type: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly score: number;
  readonly validated: boolean;
}

const rrn = '971013-9019902';
const thaiId = '3100600445635';
const sample = `주민번호 ${rrn}입니다.\nเลขบัตรประชาชน${thaiId}ครับ\n`;

const parseLines = (stdout: string): Line[] =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);

/** ~20 000 characters of filler with IDs placed across 1000-byte reads and across the 512-unit hold-back. */
function bigInput(): { text: string; starts: number[] } {
  let text = '';
  const starts: number[] = [];
  for (const boundary of [488, 1000, 2488, 5000, 9488, 14000, 19000]) {
    text += 'x'.repeat(boundary - 7 - text.length - 1) + ' ';
    starts.push(text.length);
    text += `${rrn} `;
  }
  return { text: `${text}tail.\n`, starts };
}

/** runNara leaves stdin closed; this one feeds it. */
function runWithStdin(args: readonly string[], input: string, cwd: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [naraBin, ...args], { cwd, input, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

afterAll(() => killAllNara());

describe('ChunkedScanner', () => {
  it('reports each entity once with whole-input offsets, whatever the piece size', () => {
    const { text, starts } = bigInput();
    for (const size of [1, 7, 100, 999, 4096]) {
      const scanner = new ChunkedScanner({ overlap: 40, context: 20 });
      const found: number[] = [];
      let settled = '';
      for (let index = 0; index < text.length; index += size) {
        const part = scanner.push(text.slice(index, index + size));
        settled += part.text;
        for (const entity of part.entities) {
          expect(text.slice(entity.start, entity.end)).toBe(entity.text);
          found.push(entity.start);
        }
      }
      const last = scanner.end();
      settled += last.text;
      found.push(...last.entities.map((entity) => entity.start));
      expect(found, `piece size ${size}`).toEqual(starts);
      expect(settled).toBe(text);
    }
  });

  it('agrees with a whole-text scan on the sample', () => {
    const scanner = new ChunkedScanner({ overlap: 20 });
    const parts = [...Array.from(sample).map((char) => scanner.push(char)), scanner.end()];
    expect(parts.flatMap((part) => part.entities)).toEqual(scan(sample));
  });
});

describe('nara pii', () => {
  let cwd: string;
  let small: string;
  let big: string;
  let bigText: ReturnType<typeof bigInput>;
  beforeAll(() => {
    cwd = makeTempDir();
    small = join(cwd, 'sample.txt');
    writeFileSync(small, sample);
    big = join(cwd, 'big.txt');
    bigText = bigInput();
    writeFileSync(big, bigText.text);
  });
  afterAll(() => removeDir(cwd));

  it('scan prints one JSON line per entity, offsets into the input', async () => {
    const result = await runNara(['pii', 'scan', small], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines.map((line) => line.type)).toEqual(['KR_RRN', 'TH_ID']);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['type', 'start', 'end', 'text', 'score', 'validated']);
      expect(sample.slice(line.start, line.end)).toBe(line.text);
    }
  });

  it('scan of an input larger than one read reports IDs across boundaries exactly once', async () => {
    const result = await runNara(['pii', 'scan', big], { cwd, env: { NARA_PII_CHUNK_BYTES: '1000' } });
    expect(result.code, result.stderr).toBe(0);
    const lines = parseLines(result.stdout);
    expect(lines.map((line) => line.start)).toEqual(bigText.starts);
    for (const line of lines) expect(bigText.text.slice(line.start, line.end)).toBe(rrn);
  });

  it('redact, mask and pseudonymise leave no original ID, from a file or stdin', async () => {
    for (const mode of ['redact', 'mask', 'pseudonymise']) {
      for (const source of [small, '-']) {
        const args = ['pii', 'redact', source, '--mode', mode];
        const result = source === '-' ? runWithStdin(args, readFileSync(small, 'utf8'), cwd) : await runNara(args, { cwd });
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).not.toContain(rrn.replace('-', '').slice(0, 6));
        expect(result.stdout).not.toContain(thaiId);
        expect(result.stdout).toContain('ครับ');
      }
    }
  });

  it('redact streams a large input in order', async () => {
    const result = await runNara(['pii', 'redact', big], { cwd, env: { NARA_PII_CHUNK_BYTES: '1000' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(bigText.text.split(rrn).join('[KR_RRN]'));
  });

  it('invalid UTF-8 does not crash', async () => {
    const file = join(cwd, 'bad.bin');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(` ${rrn}`)]));
    const result = await runNara(['pii', 'scan', file], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(parseLines(result.stdout).map((line) => line.text)).toEqual([rrn]);
  });

  it('scan and redact survive hostile input: digit, separator, colon and @ runs, stray surrogate bytes', async () => {
    const file = join(cwd, 'hostile.txt');
    const hostile = ['1'.repeat(200_000), '1-'.repeat(100_000), ':'.repeat(100_000), 'aaaa@'.repeat(40_000), 'AB12 '.repeat(40_000), `\ud800 ${rrn} \udc00`].join('\n');
    writeFileSync(file, hostile);
    const scanned = await runNara(['pii', 'scan', file], { cwd });
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(parseLines(scanned.stdout).map((line) => line.text)).toEqual([rrn]);
    const redacted = await runNara(['pii', 'redact', file], { cwd });
    expect(redacted.code, redacted.stderr).toBe(0);
    expect(redacted.stdout).toContain('[KR_RRN]');
  });

  it('usage errors exit 2 with a clear message', async () => {
    const missing = join(cwd, 'no-such.txt');
    const result = await runNara(['pii', 'scan', missing], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(missing);
    const badMode = await runNara(['pii', 'redact', small, '--mode', 'shred'], { cwd });
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain('--mode');
  });
});

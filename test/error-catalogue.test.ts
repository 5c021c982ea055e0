/**
 * The error catalogue stays in step with docs/errors.md, and every code becomes OpenAI's error
 * shape with the catalogue's status; anything else thrown becomes internal_error without leaking.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorEvent, errorResponse } from '../src/server/error-response.js';
import { errorCatalogue, NaraError, toNaraError, type ErrorCode } from '../src/spec/errors.js';

const codes = Object.keys(errorCatalogue) as ErrorCode[];
const docsPath = fileURLToPath(new URL('../docs/errors.md', import.meta.url));

interface DocRow {
  readonly code: string;
  readonly status: number;
  readonly type: string;
  readonly retryable: string;
  readonly meaning: string;
}

/** Rows shaped like "| `code` | 400 | invalid_request_error | no | meaning |". */
function documentedRows(markdown: string): DocRow[] {
  const rows: DocRow[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());
    const code = /^`([a-z_]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!line.trim().startsWith('|') || code === undefined || cells.length < 5) continue;
    rows.push({ code, status: Number(cells[1]), type: (cells[2] ?? '').replace(/`/g, ''), retryable: (cells[3] ?? '').toLowerCase(), meaning: cells.slice(4).join('|') });
  }
  return rows;
}

describe('docs/errors.md', () => {
  const markdown = existsSync(docsPath) ? readFileSync(docsPath, 'utf8') : '';

  it('exists', () => {
    expect(existsSync(docsPath), 'docs/errors.md documents the error catalogue').toBe(true);
  });

  it('has one table row per catalogue code, with its status, type and retryability', () => {
    const rows = documentedRows(markdown);
    for (const code of codes) {
      const entry = errorCatalogue[code];
      const documented = rows.filter((row) => row.code === code);
      expect(documented, `docs/errors.md has a row for \`${code}\``).toHaveLength(1);
      const row = documented[0];
      expect(row?.status, `status of ${code}`).toBe(entry.status);
      expect(row?.type, `type of ${code}`).toBe(entry.type);
      expect(row?.retryable, `retryable of ${code}`).toBe(entry.retryable ? 'yes' : 'no');
      expect(row?.meaning.length, `meaning of ${code}`).toBeGreaterThan(0);
    }
  });

  it('documents no code that the catalogue does not have', () => {
    const unknown = documentedRows(markdown)
      .map((row) => row.code)
      .filter((code) => !(code in errorCatalogue));
    expect(unknown).toEqual([]);
  });
});

describe('the catalogue itself', () => {
  it('uses OpenAI error types that agree with the HTTP status', () => {
    for (const code of codes) {
      const { status, type, retryable } = errorCatalogue[code];
      expect(status >= 400 && status < 600, code).toBe(true);
      if (status >= 500) {
        expect(type, code).toBe('server_error');
        expect(retryable || code === 'upstream_bad_response', `${code} (5xx) is retryable`).toBe(true);
      }
      if (status === 401) expect(type, code).toBe('authentication_error');
      if (status === 403) expect(type, code).toBe('permission_error');
      // Budgets spent answer like OpenAI's quota errors, so clients can tell them from rate limits.
      if (status === 429) expect(['rate_limit_error', 'insufficient_quota'], code).toContain(type);
      if (status === 404) expect(type, code).toBe('not_found_error');
      if (status >= 400 && status < 500 && type !== 'rate_limit_error') expect(retryable, `${code} (4xx) is not retryable`).toBe(false);
    }
  });
});

describe('errorResponse', () => {
  it("gives every code OpenAI's shape {error:{message,type,param,code}} and the catalogue's status", () => {
    for (const code of codes) {
      const entry = errorCatalogue[code];
      const withParam = errorResponse(new NaraError(code, `message for ${code}`, { param: 'messages[0].role' }));
      expect(withParam.status, code).toBe(entry.status);
      expect(withParam.retryAfterSeconds).toBeUndefined();
      const body = JSON.parse(withParam.body) as { error: Record<string, unknown> };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toEqual({ message: `message for ${code}`, type: entry.type, param: 'messages[0].role', code });

      const withoutParam = JSON.parse(errorResponse(new NaraError(code, 'm')).body) as { error: Record<string, unknown> };
      expect(withoutParam.error.param, code).toBeNull();
      expect(Object.keys(withoutParam.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    }
  });

  it('passes Retry-After seconds through, and never puts detail or cause in the body', () => {
    const error = new NaraError('backends_busy', 'All busy.', { retryAfterSeconds: 1, detail: { backend: 'seoul-secret-host' }, cause: new Error('socket hang up at 10.0.0.7') });
    const response = errorResponse(error);
    expect(response.retryAfterSeconds).toBe(1);
    expect(response.body).not.toContain('seoul-secret-host');
    expect(response.body).not.toContain('10.0.0.7');
  });

  it('errorEvent is the same body as one final SSE event', () => {
    const error = new NaraError('stream_interrupted', 'The engine stopped.');
    expect(errorEvent(error)).toBe(`data: ${errorResponse(error).body}\n\n`);
  });
});

describe('NaraError and toNaraError', () => {
  it("reads status and retryable from the catalogue; failover defaults to retryable", () => {
    for (const code of codes) {
      const error = new NaraError(code, 'x');
      expect(error.status).toBe(errorCatalogue[code].status);
      expect(error.retryable).toBe(errorCatalogue[code].retryable);
      expect(error.failover).toBe(errorCatalogue[code].retryable);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('NaraError');
    }
    expect(new NaraError('upstream_error', 'x', { failover: false }).failover).toBe(false);
  });

  it('returns a NaraError unchanged', () => {
    const error = new NaraError('model_not_found', 'nope', { param: 'model' });
    expect(toNaraError(error)).toBe(error);
  });

  it('turns anything else thrown into internal_error (500) without leaking its message', () => {
    const thrown: unknown[] = [new Error('db password is hunter2'), new TypeError('x is undefined'), 'a string', 42, null, undefined, { weird: true }, Symbol('s')];
    for (const value of thrown) {
      const error = toNaraError(value);
      expect(error).toBeInstanceOf(NaraError);
      expect(error.code).toBe('internal_error');
      expect(error.status).toBe(500);
      expect(error.cause).toBe(value);
      const response = errorResponse(error);
      expect(response.status).toBe(500);
      expect(JSON.parse(response.body)).toEqual({ error: { message: 'Internal error in Nara.', type: 'server_error', param: null, code: 'internal_error' } });
      expect(response.body).not.toContain('hunter2');
    }
  });
});

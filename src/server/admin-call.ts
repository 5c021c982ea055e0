/**
 * What an admin API handler is given and gives back. The dispatcher (admin-routes.ts) identifies
 * the caller, finds the handler and writes the reply; handlers hold the rules of their routes.
 */
import type { IncomingMessage } from 'node:http';
import type { AdminService } from '../admin/admin-service.js';
import type { Principal } from '../spec/console-api.js';
import { NaraError } from '../spec/errors.js';

/** Extra response headers; Set-Cookie may need several values. */
export type ReplyHeaders = Readonly<Record<string, string | string[]>>;

export type Reply =
  | { readonly status: number; readonly json: unknown; readonly headers?: ReplyHeaders }
  | { readonly status: number; readonly csv: string }
  | { readonly status: 302; readonly redirect: string; readonly headers?: ReplyHeaders };

export interface Call {
  readonly service: AdminService;
  readonly principal: Principal;
  readonly query: URLSearchParams;
  readonly request: IncomingMessage;
  body(): Promise<unknown>;
}

export type Handler = (call: Call) => Promise<Reply>;

export type Methods = Readonly<Record<string, Handler>>;

export function ok(json: unknown): Reply {
  return { status: 200, json };
}

/** Refuses query parameters a list endpoint does not take (a typo silently ignored misleads). */
export function checkQuery(query: URLSearchParams, allowed: readonly string[]): void {
  for (const name of query.keys()) {
    if (!allowed.includes(name)) {
      const known = allowed.length === 0 ? 'this endpoint takes none' : `use ${allowed.join(', ')}`;
      throw new NaraError('invalid_request', `Unknown query parameter '${name.slice(0, 40)}'; ${known}.`, { param: name.slice(0, 40) });
    }
  }
}

export function integerParam(query: URLSearchParams, name: string, bounds: { min: number; max: number }): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new NaraError('invalid_request', `'${name}' must be a whole number from ${bounds.min} to ${bounds.max}.`, { param: name });
  }
  return value;
}

/** An ISO 8601 time (or a YYYY-MM-DD day) as epoch milliseconds. */
export function timeParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(value)) throw new NaraError('invalid_request', `'${name}' must be an ISO 8601 time such as 2026-11-23T00:00:00Z.`, { param: name });
  return value;
}

export function textParam(query: URLSearchParams, name: string, maxLength = 200): string | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (text.length > maxLength) throw new NaraError('invalid_request', `'${name}' is longer than ${maxLength} characters.`, { param: name });
  return text;
}

/**
 * Which PostgreSQL failures mean "the database cannot be reached" (StoreUnavailableError, so callers
 * can fail closed or retry) and which are ordinary query errors, and how to name the database in a
 * message without ever printing its password.
 */
import { StoreUnavailableError } from '../../spec/directory.js';

const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATEs of a lost or refused connection: class 08, shutdowns, "starting up", no free slot. */
const serverCodes = new Set(['57P01', '57P02', '57P03', '53300']);
/** What pg itself throws when a socket dies or a connect times out (it sets no code). */
const clientMessages = /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed/i;

export interface PgTarget {
  /** "host:port/database", safe to print. */
  readonly description: string;
  readonly password: string | undefined;
}

export function describeTarget(url: string): PgTarget {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname === '' ? 'localhost' : parsed.hostname;
    const port = parsed.port === '' ? '5432' : parsed.port;
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || decodeURIComponent(parsed.username) || 'postgres';
    return { description: `${host}:${port}/${database}`, password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password) };
  } catch {
    // Not a URL (a keyword/value string): it may hold a password anywhere, so print none of it.
    return { description: '(the configured database)', password: undefined };
  }
}

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (socketCodes.has(code) || serverCodes.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError && error.errors.some(isConnectionError)) return true;
  return clientMessages.test(error.message);
}

function scrub(text: string, target: PgTarget): string {
  return target.password === undefined ? text : text.split(target.password).join('***');
}

export function unavailable(target: PgTarget, error: unknown): StoreUnavailableError {
  const reason = error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
  return new StoreUnavailableError(`PostgreSQL at ${target.description} is unavailable: ${scrub(reason, target)}`, { cause: error });
}

/** The error to throw for a failed query: StoreUnavailableError when the connection was lost. */
export function storeError(target: PgTarget, error: unknown): unknown {
  return isConnectionError(error) ? unavailable(target, error) : error;
}

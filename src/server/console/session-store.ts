/**
 * Console sessions, in memory: a random id in an HttpOnly cookie names a principal until it expires.
 * Kept in memory on purpose (decision 15): nothing to leak from disk or a database, and a restart or
 * a new admin token signs everyone out. Bounded, so sign-in floods cannot grow the heap.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../../spec/console-api.js';

export interface Session {
  readonly principal: Principal;
  readonly expiresAt: number;
}

const maxSessions = 100_000;
/** One person signing in again and again replaces their own oldest session, never someone else's. */
const maxSessionsPerSubject = 20;

export class SessionStore {
  /** By SHA-256 of the id, so a heap dump does not hand out live cookies. */
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts a session; returns the cookie value (shown to no one but the browser). */
  create(principal: Principal, lifetimeMs: number): { readonly id: string; readonly expiresAt: number } {
    this.#sweep();
    const own = [...this.#sessions].filter(([, session]) => session.principal.subject === principal.subject && session.principal.via === principal.via);
    // Oldest first out (Map keeps insertion order): first this subject's own, then anyone's.
    if (own.length >= maxSessionsPerSubject) this.#sessions.delete((own[0] as [string, Session])[0]);
    else if (this.#sessions.size >= maxSessions) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + lifetimeMs;
    this.#sessions.set(digest(id), { principal, expiresAt });
    return { id, expiresAt };
  }

  get(id: string): Session | undefined {
    const key = digest(id);
    const session = this.#sessions.get(key);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(digest(id));
  }

  get size(): number {
    return this.#sessions.size;
  }

  #sweep(): void {
    const now = this.now();
    for (const [key, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(key);
  }
}

function digest(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

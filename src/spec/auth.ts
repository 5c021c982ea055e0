/** Who is calling: the tenant an API key belongs to, with the key's own limits and allow-list. */
import type { LimitSet } from './limits.js';

export interface Principal {
  readonly tenantId: string;
  readonly keyId: string;
  /** Limits of this key on its own (on top of its tenant's); undefined when it has none. */
  readonly keyLimits: LimitSet | undefined;
  /** Models this key may use; undefined means every model its tenant may use. */
  readonly keyModels: ReadonlySet<string> | undefined;
}

export type KeyLookup =
  | { readonly status: 'active'; readonly principal: Principal }
  | { readonly status: 'revoked'; readonly keyId: string }
  | { readonly status: 'expired'; readonly keyId: string }
  /** The admin token was sent where a tenant key belongs. */
  | { readonly status: 'admin' }
  | { readonly status: 'unknown' };

/** Resolves a presented bearer token. Implemented by the store; kept in memory, never on disk I/O per request. */
export interface KeyIndex {
  lookup(token: string): KeyLookup;
}

/** Who is calling: the tenant an API key belongs to. */

export interface Principal {
  readonly tenantId: string;
  readonly keyId: string;
}

export type KeyLookup =
  | { readonly status: 'active'; readonly principal: Principal }
  | { readonly status: 'revoked'; readonly keyId: string }
  | { readonly status: 'unknown' };

/** Resolves a presented bearer token. Implemented by the store; kept in memory, never on disk I/O per request. */
export interface KeyIndex {
  lookup(token: string): KeyLookup;
}

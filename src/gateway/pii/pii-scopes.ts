/**
 * Where surrogates come from. Scope `request`: a fresh scope per request. Scope `tenant`: one per
 * tenant, so the same value gets the same surrogate across a conversation's requests until unused
 * for the policy's TTL. Both derive surrogates from one key (`pii.secretEnv`, or random per
 * process), so format-preserving surrogates also agree across requests and replicas that share it.
 */
import { randomBytes } from 'node:crypto';
import { PseudonymScope, SurrogateCache } from '../../pii/operations.js';
import type { TenantConfig } from '../../config/types.js';

export class PiiScopes {
  readonly #secret: Uint8Array | string;
  /** Surrogates of values seen before, shared by every scope of this key (see SurrogateCache). */
  readonly #cache = new SurrogateCache();
  readonly #tenantScopes = new Map<string, { readonly scope: PseudonymScope; readonly ttlMs: number }>();

  constructor(secret: string | undefined) {
    this.#secret = secret ?? randomBytes(32);
  }

  /** How the "pii" stage gets a scope for this tenant's request (called only if it pseudonymises). */
  readonly scopeFor = (tenant: TenantConfig): (() => PseudonymScope) => {
    const policy = tenant.pii;
    if (policy.scope === 'request') return () => new PseudonymScope({ secret: this.#secret, cache: this.#cache });
    return () => {
      const known = this.#tenantScopes.get(tenant.id);
      if (known !== undefined && known.ttlMs === policy.scopeTtlMs) return known.scope;
      const scope = new PseudonymScope({ secret: this.#secret, ttlMs: policy.scopeTtlMs, cache: this.#cache });
      this.#tenantScopes.set(tenant.id, { scope, ttlMs: policy.scopeTtlMs });
      return scope;
    };
  };

  /** Tenant scopes whose every entry has expired are dropped (called on configuration reload). */
  prune(): void {
    for (const [tenantId, { scope }] of this.#tenantScopes) {
      scope.purge();
      if (scope.size === 0) this.#tenantScopes.delete(tenantId);
    }
  }
}

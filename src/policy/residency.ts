/**
 * Data residency: the one function that decides which back ends may receive a tenant's data.
 * The router is only ever handed the list this returns, so a forbidden back end cannot be chosen
 * on a first try, a retry or a fallback. Pure: no I/O, no clocks, no health state.
 */

export interface PlacedBackend {
  readonly id: string;
  /** Upper-case ISO 3166-1 alpha-2 code of where the engine runs. */
  readonly jurisdiction: string;
}

export interface ResidencyPolicy {
  readonly tenantId: string;
  /** Upper-case ISO 3166-1 alpha-2 codes where the tenant's data may go. */
  readonly jurisdictions: ReadonlySet<string>;
}

export type ResidencyVerdict<B extends PlacedBackend> =
  | { readonly outcome: 'allowed'; readonly candidates: readonly B[]; readonly deniedCount: number }
  | { readonly outcome: 'denied'; readonly servedIn: readonly string[] };

export function isAllowedDestination(backend: PlacedBackend, policy: Pick<ResidencyPolicy, 'jurisdictions'>): boolean {
  return policy.jurisdictions.has(backend.jurisdiction);
}

export function allowedCandidates<B extends PlacedBackend>(
  serving: readonly B[],
  policy: ResidencyPolicy,
): ResidencyVerdict<B> {
  const candidates = serving.filter((backend) => isAllowedDestination(backend, policy));
  if (candidates.length > 0) {
    return { outcome: 'allowed', candidates, deniedCount: serving.length - candidates.length };
  }
  const servedIn = [...new Set(serving.map((backend) => backend.jurisdiction))].sort();
  return { outcome: 'denied', servedIn };
}

/** "KR, JP" for messages. */
export function describePolicy(policy: ResidencyPolicy): string {
  return [...policy.jurisdictions].sort().join(', ');
}

/**
 * An immutable snapshot of who may reach what: tenants, the back ends serving each model, and the
 * residency verdict per (tenant, model), computed once per snapshot. A config reload builds a new
 * table; requests in flight keep the one they started with but re-check the current policy before
 * every attempt (see router.ts).
 */
import type { NaraConfig, TenantConfig } from '../config/types.js';
import { allowedCandidates, type ResidencyVerdict } from '../policy/residency.js';
import type { BackendSlot } from './backend-slot.js';
import { modelRenamer, type ModelRenamer } from './model-renamer.js';

export interface Candidate {
  readonly id: string;
  readonly jurisdiction: string;
  readonly slot: BackendSlot;
  /** The engine's own name for the requested model. */
  readonly upstreamModel: string;
  /** Puts the exposed model name back into the engine's answers (built once, not per request). */
  readonly rename: ModelRenamer;
}

export class RoutingTable {
  readonly tenants: ReadonlyMap<string, TenantConfig>;
  readonly slots: readonly BackendSlot[];
  readonly adminTenants: readonly TenantConfig[];
  private readonly slotsById: ReadonlyMap<string, BackendSlot>;
  private readonly servingByModel = new Map<string, Candidate[]>();
  private readonly verdicts = new Map<string, Map<string, ResidencyVerdict<Candidate>>>();

  /**
   * `adminTenants` are those created through the admin API; a tenant declared in nara.yaml wins
   * over a stored one with the same id (the admin API refuses to create such a clash).
   */
  constructor(readonly config: NaraConfig, slots: readonly BackendSlot[], adminTenants: readonly TenantConfig[] = []) {
    this.slots = slots;
    this.slotsById = new Map(slots.map((slot) => [slot.id, slot]));
    const tenants = new Map(adminTenants.map((tenant) => [tenant.id, tenant]));
    for (const tenant of config.tenants) tenants.set(tenant.id, tenant);
    this.tenants = tenants;
    this.adminTenants = adminTenants;
    for (const slot of slots) {
      for (const model of slot.config.models) {
        const list = this.servingByModel.get(model.name) ?? [];
        list.push({
          id: slot.id,
          jurisdiction: slot.jurisdiction,
          slot,
          upstreamModel: model.upstream,
          rename: modelRenamer(model.upstream, model.name),
        });
        this.servingByModel.set(model.name, list);
      }
    }
  }

  /** The same config and back ends with another set of admin-managed tenants. */
  withAdminTenants(adminTenants: readonly TenantConfig[]): RoutingTable {
    return new RoutingTable(this.config, this.slots, adminTenants);
  }

  slotById(id: string): BackendSlot | undefined {
    return this.slotsById.get(id);
  }

  serves(model: string): boolean {
    return this.servingByModel.has(model);
  }

  modelNames(): string[] {
    return [...this.servingByModel.keys()];
  }

  /** The residency verdict for a tenant and a model that exists; cached per snapshot. */
  residency(tenant: TenantConfig, model: string): ResidencyVerdict<Candidate> {
    let perTenant = this.verdicts.get(tenant.id);
    if (perTenant === undefined) {
      perTenant = new Map();
      this.verdicts.set(tenant.id, perTenant);
    }
    let verdict = perTenant.get(model);
    if (verdict === undefined) {
      verdict = allowedCandidates(this.servingByModel.get(model) ?? [], { tenantId: tenant.id, jurisdictions: tenant.jurisdictions });
      perTenant.set(model, verdict);
    }
    return verdict;
  }
}

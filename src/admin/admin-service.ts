/**
 * Tenants, API keys and usage, as the admin API and the `nara` CLI manage them. One service behind
 * both, so that the HTTP adapter and the command line cannot drift apart in what they allow.
 *
 * Tenants declared in nara.yaml are shown (managedBy "config") but never changed here: the file is
 * their source of truth, and an edit made here would be undone by the next reload. Their keys can
 * be managed like any other. Keys are generated here, returned once, and stored only as a hash.
 */
import { NaraError } from '../spec/errors.js';
import { DirectoryConflictError, StoreUnavailableError, type ApiKeyRecord, type DirectorySnapshot, type DirectoryStore, type TenantRecord, type TenantWrite } from '../spec/directory.js';
import type { UsageDimension, UsageLedger } from '../spec/usage.js';
import { toLimitSet } from '../config/tenants.js';
import type { TenantConfig } from '../config/types.js';
import { generateApiKey, hashApiKey, newKeyId } from '../store/api-key.js';
import { keyInput, parseInput, rotateInput, tenantInput, usageInput, type TenantInput } from './admin-inputs.js';
import type { UsageReport } from './usage-csv.js';
import { configTenantView, keyStatus, keyView, storedTenantView, tenantFieldsAsInput, type KeyView, type TenantView } from './views.js';

export interface AdminServiceOptions {
  readonly directory: DirectoryStore;
  readonly ledger: UsageLedger;
  /** The tenants of the configuration in force (they change on reload). */
  readonly configTenants: () => readonly TenantConfig[];
  readonly now?: () => Date;
  /** Called before every usage query; the server writes the usage it still holds in memory. */
  readonly beforeUsageQuery?: () => Promise<void>;
}

/** A key as created: the only answer that ever carries the key itself. */
export type CreatedKey = KeyView & { readonly key: string };

export type RotatedKey = CreatedKey & { readonly previous: KeyView };

/** Limits a request to one tenant's keys (tenant-scoped routes, a tenant's own usage). */
export interface TenantScope {
  readonly tenantId?: string | undefined;
}

export class AdminService {
  private readonly now: () => Date;

  constructor(private readonly options: AdminServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async listTenants(): Promise<TenantView[]> {
    const snapshot = await this.load();
    const configured = this.options.configTenants();
    const declared = new Set(configured.map((tenant) => tenant.id));
    // A stored tenant that nara.yaml later declared too is shadowed by the file, as in the gateway.
    const stored = snapshot.tenants.filter((tenant) => !declared.has(tenant.id)).sort((a, b) => a.id.localeCompare(b.id));
    return [...configured.map(configTenantView), ...stored.map(storedTenantView)];
  }

  async getTenant(id: string): Promise<TenantView> {
    const found = this.findTenant(id, await this.load());
    if (found === undefined) throw tenantNotFound(id);
    return found;
  }

  async createTenant(input: unknown): Promise<TenantView> {
    const parsed = parseInput(tenantInput, input, 'tenant');
    if (this.configTenant(parsed.id) !== undefined) {
      throw new NaraError('tenant_exists', `Tenant '${parsed.id}' is already declared in the configuration file.`, { param: 'id' });
    }
    try {
      return storedTenantView(await this.store(() => this.options.directory.createTenant(tenantWrite(parsed), this.now())));
    } catch (error) {
      if (!(error instanceof DirectoryConflictError)) throw error;
      throw new NaraError('tenant_exists', `A tenant with the id '${parsed.id}' already exists.`, { param: 'id', cause: error });
    }
  }

  /** A JSON merge patch (RFC 7386): fields given replace, null removes, limits merge field by field. */
  async updateTenant(id: string, patch: unknown): Promise<TenantView> {
    this.refuseConfigManaged(id);
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new NaraError('invalid_request', 'The tenant update must be a JSON object (fields to change; null removes one).');
    }
    const fields = patch as Record<string, unknown>;
    if ('id' in fields && fields.id !== id) {
      throw new NaraError('invalid_request', "A tenant's id cannot be changed; create a new tenant instead.", { param: 'id' });
    }
    const current = (await this.load()).tenants.find((tenant) => tenant.id === id);
    if (current === undefined) throw tenantNotFound(id);
    const merged = mergePatch(tenantAsInput(current), fields);
    const parsed = parseInput(tenantInput, { ...merged, id }, 'tenant update');
    const updated = await this.store(() => this.options.directory.updateTenant(tenantWrite(parsed), this.now()));
    if (updated === undefined) throw tenantNotFound(id);
    return storedTenantView(updated);
  }

  /** Deletes a tenant created here; its keys are revoked with it. */
  async deleteTenant(id: string): Promise<{ readonly object: 'tenant'; readonly id: string; readonly deleted: true }> {
    this.refuseConfigManaged(id);
    const deleted = await this.store(() => this.options.directory.deleteTenant(id, this.now()));
    if (!deleted) throw tenantNotFound(id);
    return { object: 'tenant', id, deleted: true };
  }

  async createKey(tenantId: string, input: unknown): Promise<CreatedKey> {
    const parsed = parseInput(keyInput, input ?? {}, 'key');
    const tenant = this.findTenant(tenantId, await this.load());
    if (tenant === undefined) throw tenantNotFound(tenantId);
    checkModelsWithin(parsed.models, tenant);
    const now = this.now();
    const key = generateApiKey();
    const record: ApiKeyRecord = {
      id: newKeyId(),
      tenantId: tenant.id,
      name: parsed.name,
      hash: hashApiKey(key),
      hint: keyHint(key),
      createdAt: now.toISOString(),
      expiresAt: expiry(parsed, now, undefined),
      limits: parsed.limits === undefined ? undefined : toLimitSet(parsed.limits),
      models: parsed.models,
    };
    await this.store(() => this.options.directory.addKey(record));
    return { ...keyView(record, now), key };
  }

  async listKeys(scope: TenantScope = {}): Promise<KeyView[]> {
    const now = this.now();
    const keys = (await this.load()).keys.filter((key) => scope.tenantId === undefined || key.tenantId === scope.tenantId);
    return keys.map((key) => keyView(key, now));
  }

  async getKey(keyId: string, scope: TenantScope = {}): Promise<KeyView> {
    return keyView(this.findKey(keyId, scope, await this.load()), this.now());
  }

  /** Revokes at once (also cutting short a rotation's grace period). Revoking twice is not an error. */
  async revokeKey(keyId: string, scope: TenantScope = {}): Promise<KeyView> {
    const now = this.now();
    const existing = this.findKey(keyId, scope, await this.load());
    if (keyStatus(existing, now) === 'revoked') return keyView(existing, now);
    const revoked = await this.store(() => this.options.directory.revokeKey(existing.id, now));
    if (revoked === undefined) throw keyNotFound(keyId);
    return keyView(revoked, now);
  }

  /**
   * Issues a replacement with the same tenant, name, limits and models, and revokes the old key
   * after `graceSeconds` (0: at once) so that clients can switch without an outage. Without a new
   * expiry, the replacement lives as long as the old key was meant to.
   */
  async rotateKey(keyId: string, input: unknown, scope: TenantScope = {}): Promise<RotatedKey> {
    const parsed = parseInput(rotateInput, input ?? {}, 'rotation');
    const snapshot = await this.load();
    const old = this.findKey(keyId, scope, snapshot);
    const now = this.now();
    const status = keyStatus(old, now);
    if (status === 'revoked' || status === 'revoking') {
      throw new NaraError('invalid_request', `Key ${old.id} is already ${status === 'revoked' ? 'revoked' : 'being replaced'}; create a new key instead.`);
    }
    if (this.findTenant(old.tenantId, snapshot) === undefined) throw tenantNotFound(old.tenantId);
    const key = generateApiKey();
    const replacement: ApiKeyRecord = {
      id: newKeyId(),
      tenantId: old.tenantId,
      name: old.name,
      hash: hashApiKey(key),
      hint: keyHint(key),
      createdAt: now.toISOString(),
      expiresAt: expiry(parsed, now, old),
      limits: old.limits,
      models: old.models,
      rotatedFrom: old.id,
    };
    const revokeAt = new Date(now.getTime() + (parsed.graceSeconds ?? 0) * 1_000);
    const previous = await this.store(() => this.options.directory.rotateKey(old.id, replacement, revokeAt));
    if (previous === undefined) throw keyNotFound(keyId);
    return { ...keyView(replacement, now), key, previous: keyView(previous, now) };
  }

  /**
   * Usage grouped by the dimensions asked for (default: tenant and day; day alone within a tenant's
   * scope). Within a scope, a filter naming another tenant simply matches nothing.
   */
  async queryUsage(input: unknown, scope: TenantScope = {}): Promise<UsageReport> {
    const parsed = parseInput(usageInput, input ?? {}, 'usage query');
    const defaultGroups: UsageDimension[] = scope.tenantId === undefined ? ['tenant', 'day'] : ['day'];
    const groupBy = parsed.groupBy ?? defaultGroups;
    if (scope.tenantId !== undefined && parsed.tenant !== undefined && parsed.tenant !== scope.tenantId) return { groupBy, rows: [] };
    const hook = this.options.beforeUsageQuery;
    if (hook !== undefined) await this.store(hook);
    const rows = await this.store(() =>
      this.options.ledger.query({
        tenantId: scope.tenantId ?? parsed.tenant,
        keyId: parsed.key,
        model: parsed.model,
        backendId: parsed.backend,
        from: parsed.from,
        to: parsed.to,
        groupBy,
      }),
    );
    return { groupBy, rows };
  }

  private configTenant(id: string): TenantConfig | undefined {
    return this.options.configTenants().find((tenant) => tenant.id === id);
  }

  private findTenant(id: string, snapshot: DirectorySnapshot): TenantView | undefined {
    const configured = this.configTenant(id);
    if (configured !== undefined) return configTenantView(configured);
    const stored = snapshot.tenants.find((tenant) => tenant.id === id);
    return stored === undefined ? undefined : storedTenantView(stored);
  }

  /** Another tenant's key is "not found", exactly like a key that does not exist: its existence is not theirs to learn. */
  private findKey(keyId: string, scope: TenantScope, snapshot: DirectorySnapshot): ApiKeyRecord {
    const key = snapshot.keys.find((candidate) => candidate.id === keyId);
    if (key === undefined || (scope.tenantId !== undefined && key.tenantId !== scope.tenantId)) throw keyNotFound(keyId);
    return key;
  }

  private refuseConfigManaged(id: string): void {
    if (this.configTenant(id) === undefined) return;
    throw new NaraError(
      'tenant_config_managed',
      `Tenant '${id}' is declared in the configuration file; change it there and reload (its keys can still be managed here).`,
    );
  }

  private load(): Promise<DirectorySnapshot> {
    return this.store(() => this.options.directory.load());
  }

  /** The store's own errors, in the catalogue. Their messages are not passed on: they may name hosts. */
  private async store<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        throw new NaraError('store_unavailable', 'The store holding tenants, keys and usage cannot be reached; retry shortly.', { cause: error, retryAfterSeconds: 1 });
      }
      throw error;
    }
  }
}

function tenantWrite(input: TenantInput): TenantWrite {
  return {
    id: input.id,
    displayName: input.displayName,
    jurisdictions: [...new Set(input.jurisdictions)],
    homeJurisdiction: input.homeJurisdiction,
    models: input.models === undefined ? undefined : [...new Set(input.models)],
    limits: toLimitSet(input.limits ?? {}),
    budgetCurrency: input.budgetCurrency,
    contact: input.contact,
    pii: input.pii,
    audit: input.audit,
    safety: input.safety,
  };
}

/** A stored tenant in the shape people write, so that a patch merges into what they would have sent. */
function tenantAsInput(tenant: TenantRecord): Record<string, unknown> {
  const input: Record<string, unknown> = tenantFieldsAsInput(tenant);
  for (const [name, value] of Object.entries(input)) if (value === undefined) delete input[name];
  return input;
}

function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...target };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete merged[name];
    else if (isPlainObject(value) && isPlainObject(merged[name])) merged[name] = mergePatch(merged[name], value);
    else merged[name] = value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key may narrow its tenant's models, never widen them. */
function checkModelsWithin(models: readonly string[] | undefined, tenant: TenantView): void {
  if (models === undefined || tenant.models === undefined) return;
  const allowed = new Set(tenant.models);
  const outside = models.find((model) => !allowed.has(model));
  if (outside !== undefined) {
    throw new NaraError('invalid_request', `Invalid 'models': tenant '${tenant.id}' may not use '${outside.slice(0, 100)}' (its models: ${tenant.models.join(', ').slice(0, 500)}).`, { param: 'models' });
  }
}

function expiry(input: { expiresAt?: string | undefined; expiresInDays?: number | undefined }, now: Date, previous: ApiKeyRecord | undefined): string | undefined {
  if (input.expiresAt !== undefined) {
    const at = new Date(input.expiresAt);
    if (at.getTime() <= now.getTime()) throw new NaraError('invalid_request', "Invalid 'expiresAt': it is not in the future.", { param: 'expiresAt' });
    return at.toISOString();
  }
  if (input.expiresInDays !== undefined) return new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString();
  if (previous?.expiresAt === undefined) return undefined;
  const lifetime = Date.parse(previous.expiresAt) - Date.parse(previous.createdAt);
  return Number.isFinite(lifetime) && lifetime > 0 ? new Date(now.getTime() + lifetime).toISOString() : undefined;
}

/** "nara-" and four characters: enough to tell keys apart, far too little to guess one. */
function keyHint(key: string): string {
  return `${key.slice(0, 9)}…`;
}

function tenantNotFound(id: string): NaraError {
  return new NaraError('tenant_not_found', `No tenant has the id '${id.slice(0, 100)}'.`);
}

function keyNotFound(id: string): NaraError {
  return new NaraError('key_not_found', `No API key has the id '${id.slice(0, 100)}'.`);
}

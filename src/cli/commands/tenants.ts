/**
 * `nara tenants list|show|create|update|delete`: tenants kept in the store (files under the data
 * directory, or PostgreSQL). Tenants declared in nara.yaml are listed too, but change only there.
 */
import { UsageError } from '../cli-error.js';
import { limitFlagNames, limitsFromFlags, listFlag, readJsonObject, withAdmin, writeJson, writeTable, type Io, type LimitFlags, type StoreFlags } from '../admin-session.js';

export interface TenantFlags extends StoreFlags, LimitFlags {
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  readonly jurisdictions?: string | undefined;
  readonly home?: string | undefined;
  readonly models?: string | undefined;
  readonly contact?: string | undefined;
  readonly budgetCurrency?: string | undefined;
  readonly piiMode?: string | undefined;
  readonly piiOutsideHome?: string | undefined;
  readonly fromJson?: string | undefined;
}

const tenantFlagNames = {
  ...limitFlagNames,
  id: '--id',
  displayName: '--name',
  jurisdictions: '--jurisdictions',
  homeJurisdiction: '--home',
  models: '--models',
  contact: '--contact',
  budgetCurrency: '--budget-currency',
  'pii.mode': '--pii-mode',
  'pii.outsideHome': '--pii-outside-home',
};

export function tenantsListCommand(flags: StoreFlags & { json?: boolean | undefined }, io: Io): Promise<number> {
  return withAdmin(flags, async (session) => {
    const tenants = await session.service.listTenants();
    if (flags.json === true) {
      writeJson(io, tenants);
      return 0;
    }
    if (tenants.length === 0) {
      io.err.write('No tenants. Declare them in nara.yaml, or create one with `nara tenants create --id ID --jurisdictions KR`.\n');
      return 0;
    }
    writeTable(
      io,
      ['ID', 'MANAGED BY', 'JURISDICTIONS', 'HOME', 'MODELS', 'NAME'],
      tenants.map((tenant) => [tenant.id, tenant.managedBy, tenant.jurisdictions.join(','), tenant.homeJurisdiction ?? '-', tenant.models?.join(',') ?? '*', tenant.displayName ?? '-']),
    );
    return 0;
  });
}

export function tenantsShowCommand(flags: StoreFlags & { id: string }, io: Io): Promise<number> {
  return withAdmin(flags, async (session) => {
    writeJson(io, await session.service.getTenant(flags.id));
    return 0;
  });
}

/** Prints the tenant as created (JSON) on stdout. */
export function tenantsCreateCommand(flags: TenantFlags, io: Io): Promise<number> {
  return withAdmin(
    flags,
    async (session) => {
      const input = withFlags(flags.fromJson, fieldsFromFlags(flags));
      if (input.id === undefined) throw new UsageError('Give the tenant an id with --id ID (or "id" in --from-json).');
      const created = await session.service.createTenant(input);
      writeJson(io, created);
      io.err.write(`Created tenant ${created.id} in ${session.where}. A running Nara routes its requests within about a second; issue a key with \`nara keys create --tenant ${created.id}\`.\n`);
      return 0;
    },
    tenantFlagNames,
  );
}

/** Changes only the fields given (in --from-json, null removes one); prints the tenant as updated. */
export function tenantsUpdateCommand(flags: TenantFlags & { target?: string | undefined }, io: Io): Promise<number> {
  return withAdmin(
    flags,
    async (session) => {
      if (flags.target !== undefined && flags.id !== undefined && flags.target !== flags.id) {
        throw new UsageError(`Two different tenant ids: "${flags.target}" and --id "${flags.id}"; a tenant's id cannot be changed.`);
      }
      const id = flags.target ?? flags.id;
      if (id === undefined) throw new UsageError('Say which tenant: nara tenants update ID [flags].');
      const { id: _ignored, ...fields } = fieldsFromFlags(flags);
      const patch = withFlags(flags.fromJson, fields);
      if (Object.keys(patch).length === 0) throw new UsageError('Nothing to change: give at least one field flag (see --help) or --from-json.');
      const updated = await session.service.updateTenant(id, patch);
      writeJson(io, updated);
      io.err.write(`Updated tenant ${updated.id}.\n`);
      return 0;
    },
    tenantFlagNames,
  );
}

export function tenantsDeleteCommand(flags: StoreFlags & { id: string }, io: Io): Promise<number> {
  return withAdmin(flags, async (session) => {
    const keys = await session.service.listKeys({ tenantId: flags.id });
    await session.service.deleteTenant(flags.id);
    const live = keys.filter((key) => key.status === 'active' || key.status === 'revoking').length;
    io.err.write(`Deleted tenant ${flags.id}${live > 0 ? ` and revoked its ${live} key(s)` : ''}. A running Nara refuses its requests within about a second.\n`);
    return 0;
  });
}

/** --from-json, then the flags on top (limits and pii merged field by field). */
function withFlags(fromJson: string | undefined, fields: Record<string, unknown>): Record<string, unknown> {
  const base = fromJson === undefined ? {} : readJsonObject(fromJson);
  const merged = { ...base, ...fields };
  for (const nested of ['limits', 'pii']) {
    const baseValue = base[nested];
    if (fields[nested] !== undefined && typeof baseValue === 'object' && baseValue !== null && !Array.isArray(baseValue)) {
      merged[nested] = { ...baseValue, ...(fields[nested] as Record<string, unknown>) };
    }
  }
  return merged;
}

/** Only the fields whose flags were given, so that an update touches nothing else. */
function fieldsFromFlags(flags: TenantFlags): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (flags.id !== undefined) fields.id = flags.id;
  if (flags.name !== undefined) fields.displayName = flags.name;
  if (flags.jurisdictions !== undefined) fields.jurisdictions = listFlag(flags.jurisdictions);
  if (flags.home !== undefined) fields.homeJurisdiction = flags.home;
  if (flags.models !== undefined) fields.models = listFlag(flags.models);
  if (flags.contact !== undefined) fields.contact = flags.contact;
  if (flags.budgetCurrency !== undefined) fields.budgetCurrency = flags.budgetCurrency;
  const pii: Record<string, unknown> = {};
  if (flags.piiMode !== undefined) pii.mode = flags.piiMode;
  if (flags.piiOutsideHome !== undefined) pii.outsideHome = flags.piiOutsideHome;
  if (Object.keys(pii).length > 0) fields.pii = pii;
  const limits = limitsFromFlags(flags);
  if (limits !== undefined) fields.limits = limits;
  return fields;
}

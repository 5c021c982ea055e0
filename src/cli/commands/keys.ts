/**
 * `nara keys create|list|revoke|rotate`: API keys, straight on the store (files under the data
 * directory, or PostgreSQL), through the same AdminService as the admin API. A running Nara sees
 * changes within about a second.
 */
import type { KeyView } from '../../admin/views.js';
import { NaraError } from '../../spec/errors.js';
import { UsageError } from '../cli-error.js';
import { limitFlagNames, limitsFromFlags, listFlag, numberFlag, withAdmin, writeJson, writeTable, type AdminSession, type Io, type LimitFlags, type StoreFlags } from '../admin-session.js';

export type KeysFlags = StoreFlags;

export interface KeysCreateFlags extends KeysFlags, LimitFlags {
  readonly tenant: string;
  readonly name?: string | undefined;
  readonly expiresInDays?: string | undefined;
  readonly expiresAt?: string | undefined;
  readonly models?: string | undefined;
  readonly json?: boolean | undefined;
}

const keyFlagNames = { ...limitFlagNames, expiresInDays: '--expires-in-days', expiresAt: '--expires-at', models: '--models', name: '--name', graceSeconds: '--grace-seconds' };

/** Prints the key alone on stdout (so `KEY=$(nara keys create ...)` works); the rest goes to stderr. */
export function keysCreateCommand(flags: KeysCreateFlags, io: Io): Promise<number> {
  return withAdmin(
    flags,
    async (session) => {
      await checkTenant(session, flags.tenant, io);
      const created = await session.service.createKey(flags.tenant, {
        name: flags.name,
        expiresInDays: numberFlag(flags.expiresInDays, '--expires-in-days'),
        expiresAt: flags.expiresAt,
        limits: limitsFromFlags(flags),
        models: listFlag(flags.models),
      });
      if (flags.json === true) writeJson(io, created);
      else io.out.write(`${created.key}\n`);
      const expires = created.expiresAt === undefined ? '' : ` It expires at ${created.expiresAt}.`;
      io.err.write(`Created ${created.id} for tenant ${created.tenantId} in ${session.where}. This is the only time the key is shown.${expires}\n`);
      return 0;
    },
    keyFlagNames,
  );
}

export function keysListCommand(flags: KeysFlags & { tenant?: string | undefined; json?: boolean | undefined }, io: Io): Promise<number> {
  return withAdmin(flags, async (session) => {
    const keys = await session.service.listKeys({ tenantId: flags.tenant });
    if (flags.json === true) {
      writeJson(io, keys);
      return 0;
    }
    if (keys.length === 0) {
      io.err.write('No keys. Create one with `nara keys create --tenant <id>`.\n');
      return 0;
    }
    writeTable(
      io,
      ['ID', 'TENANT', 'NAME', 'KEY', 'CREATED', 'EXPIRES', 'STATUS'],
      keys.map((key) => [key.id, key.tenantId, key.name ?? '-', key.hint, key.createdAt, key.expiresAt ?? '-', statusText(key)]),
    );
    return 0;
  });
}

export function keysRevokeCommand(flags: KeysFlags & { id: string; tenant?: string | undefined }, io: Io): Promise<number> {
  return withAdmin(flags, async (session) => {
    const scope = { tenantId: flags.tenant };
    const existing = await session.service.getKey(flags.id, scope).catch((error: unknown) => {
      if (error instanceof NaraError && error.code === 'key_not_found') throw new UsageError(`No key with id "${flags.id}" in ${session.where}; see \`nara keys list\`.`);
      throw error;
    });
    if (existing.status === 'revoked') {
      io.err.write(`${existing.id} was already revoked at ${existing.revokedAt ?? '?'}.\n`);
      return 0;
    }
    await session.service.revokeKey(flags.id, scope);
    io.err.write(`Revoked ${flags.id}. A running Nara refuses it within about a second.\n`);
    return 0;
  });
}

export interface KeysRotateFlags extends KeysFlags {
  readonly id: string;
  readonly tenant?: string | undefined;
  readonly graceSeconds?: string | undefined;
  readonly expiresInDays?: string | undefined;
  readonly expiresAt?: string | undefined;
  readonly json?: boolean | undefined;
}

/** Like create: the new key alone on stdout. The old one keeps working for the grace period. */
export function keysRotateCommand(flags: KeysRotateFlags, io: Io): Promise<number> {
  return withAdmin(
    flags,
    async (session) => {
      const rotated = await session.service.rotateKey(
        flags.id,
        { graceSeconds: numberFlag(flags.graceSeconds, '--grace-seconds'), expiresInDays: numberFlag(flags.expiresInDays, '--expires-in-days'), expiresAt: flags.expiresAt },
        { tenantId: flags.tenant },
      );
      if (flags.json === true) writeJson(io, rotated);
      else io.out.write(`${rotated.key}\n`);
      const until = rotated.previous.status === 'revoked' ? 'is revoked now' : `keeps working until ${rotated.previous.revokedAt ?? '?'}`;
      io.err.write(`Rotated ${rotated.previous.id} → ${rotated.id} (tenant ${rotated.tenantId}); the old key ${until}. This is the only time the new key is shown.\n`);
      return 0;
    },
    keyFlagNames,
  );
}

function statusText(key: KeyView): string {
  switch (key.status) {
    case 'revoked':
      return `revoked ${key.revokedAt ?? ''}`;
    case 'revoking':
      return `revoking ${key.revokedAt ?? ''}`;
    case 'expired':
      return `expired ${key.expiresAt ?? ''}`;
    default:
      return 'active';
  }
}

/** A tenant unknown to the configuration and the store is a typo: say which tenants exist. */
async function checkTenant(session: AdminSession, tenantId: string, io: Io): Promise<void> {
  const tenants = await session.service.listTenants();
  if (tenants.some((tenant) => tenant.id === tenantId)) return;
  if (session.config === undefined) {
    // `nara serve --gguf` without a file has one tenant, "default", that no store knows about.
    if (tenantId !== 'default') {
      io.err.write(`warning: no configuration file found, so tenant "${tenantId}" was not checked (without a file, \`nara serve\` has one tenant: "default").\n`);
    }
    session.assumeTenant(tenantId);
    return;
  }
  const shown = tenants.slice(0, 20).map((tenant) => tenant.id);
  const known = shown.length === 0 ? '(none)' : `${shown.join(', ')}${tenants.length > shown.length ? ` and ${tenants.length - shown.length} more` : ''}`;
  throw new UsageError(`Tenant "${tenantId}" is not in ${session.config.source} nor created with \`nara tenants create\`. Tenants: ${known}.`);
}

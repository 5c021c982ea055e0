/** `nara keys create|list|revoke`: manage API keys in the embedded store under the data directory. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatProblem, loadConfigFile } from '../../config/load.js';
import type { NaraConfig } from '../../config/types.js';
import { generateApiKey, hashApiKey, newKeyId, type ApiKeyRecord } from '../../store/api-key.js';
import { KeyFileStore } from '../../store/key-file-store.js';
import { UsageError } from '../cli-error.js';

export interface KeysFlags {
  readonly config?: string | undefined;
  readonly dataDir?: string | undefined;
}

interface Io {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export function keysCreateCommand(flags: KeysFlags & { tenant: string; name?: string | undefined }, io: Io): number {
  const { store, config } = openStore(flags);
  if (config !== undefined && !config.tenants.some((tenant) => tenant.id === flags.tenant)) {
    const known = config.tenants.map((tenant) => tenant.id).join(', ') || '(none)';
    throw new UsageError(`Tenant "${flags.tenant}" is not in ${config.source}. Configured tenants: ${known}.`);
  }
  if (config === undefined && flags.tenant !== 'default') {
    io.err.write(`warning: no configuration file found, so tenant "${flags.tenant}" was not checked (without a file, \`nara serve\` has one tenant: "default").\n`);
  }
  const key = generateApiKey();
  const record: ApiKeyRecord = {
    id: newKeyId(),
    tenantId: flags.tenant,
    name: flags.name,
    hash: hashApiKey(key),
    hint: `${key.slice(0, 9)}…`,
    createdAt: new Date().toISOString(),
    revokedAt: undefined,
  };
  store.add(record);
  io.out.write(`${key}\n`);
  io.err.write(`Created ${record.id} for tenant ${record.tenantId} in ${store.filePath}. This is the only time the key is shown.\n`);
  return 0;
}

export function keysListCommand(flags: KeysFlags & { tenant?: string | undefined; json?: boolean | undefined }, io: Io): number {
  const { store } = openStore(flags);
  const keys = store.list().filter((key) => flags.tenant === undefined || key.tenantId === flags.tenant);
  if (flags.json === true) {
    io.out.write(`${JSON.stringify(keys.map(({ hash: _hash, ...shown }) => shown), null, 2)}\n`);
    return 0;
  }
  if (keys.length === 0) {
    io.err.write('No keys. Create one with `nara keys create --tenant <id>`.\n');
    return 0;
  }
  io.out.write(`${['ID', 'TENANT', 'NAME', 'KEY', 'CREATED', 'STATUS'].join('\t')}\n`);
  for (const key of keys) {
    const status = key.revokedAt === undefined ? 'active' : `revoked ${key.revokedAt}`;
    io.out.write(`${[key.id, key.tenantId, key.name ?? '-', key.hint, key.createdAt, status].join('\t')}\n`);
  }
  return 0;
}

export function keysRevokeCommand(flags: KeysFlags & { id: string }, io: Io): number {
  const { store } = openStore(flags);
  const existing = store.list().find((key) => key.id === flags.id);
  if (existing === undefined) throw new UsageError(`No key with id "${flags.id}" in ${store.filePath}; see \`nara keys list\`.`);
  if (existing.revokedAt !== undefined) {
    io.err.write(`${flags.id} was already revoked at ${existing.revokedAt}.\n`);
    return 0;
  }
  store.revoke(flags.id);
  io.err.write(`Revoked ${flags.id}. A running Nara refuses it within about a second.\n`);
  return 0;
}

/** The data directory: --data-dir, else the config's dataDir, else NARA_DATA_DIR, else ./.nara. */
function openStore(flags: KeysFlags): { store: KeyFileStore; config: NaraConfig | undefined } {
  const file = flags.config ?? process.env.NARA_CONFIG ?? (existsSync('nara.yaml') ? 'nara.yaml' : undefined);
  let config: NaraConfig | undefined;
  if (file !== undefined && file !== '') {
    const result = loadConfigFile(file, { requireSecrets: false });
    if (result.config === undefined) {
      throw new UsageError(`Invalid configuration:\n${result.errors.map((problem) => `  ${formatProblem(problem)}`).join('\n')}`);
    }
    config = result.config;
  }
  const dataDir = flags.dataDir ?? config?.dataDir ?? process.env.NARA_DATA_DIR ?? '.nara';
  return { store: new KeyFileStore(resolve(dataDir)), config };
}

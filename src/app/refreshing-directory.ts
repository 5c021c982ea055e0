/**
 * The directory store as the admin API uses it: after every change, this replica's own index
 * reloads at once, so a key created or revoked through this replica works (or is refused) on the
 * very next request here. Other replicas see the change at their next poll (within a second).
 */
import type { ApiKeyRecord, DirectoryStore, TenantRecord, TenantWrite } from '../spec/directory.js';

export function refreshingDirectory(store: DirectoryStore, refresh: () => Promise<void>): DirectoryStore {
  const thenRefresh = async <T>(change: Promise<T>): Promise<T> => {
    const result = await change;
    // The change is stored; a failed reload only delays it until the next poll.
    await refresh().catch(() => undefined);
    return result;
  };
  return {
    load: () => store.load(),
    version: () => store.version(),
    createTenant: (tenant: TenantWrite, at: Date): Promise<TenantRecord> => thenRefresh(store.createTenant(tenant, at)),
    updateTenant: (tenant: TenantWrite, at: Date) => thenRefresh(store.updateTenant(tenant, at)),
    deleteTenant: (id: string, at: Date) => thenRefresh(store.deleteTenant(id, at)),
    addKey: (key: ApiKeyRecord) => thenRefresh(store.addKey(key)),
    revokeKey: (id: string, at: Date) => thenRefresh(store.revokeKey(id, at)),
    rotateKey: (oldId: string, replacement: ApiKeyRecord, revokeAt: Date) => thenRefresh(store.rotateKey(oldId, replacement, revokeAt)),
    close: () => store.close(),
  };
}

/**
 * What each console role may do: the one table the API enforces (docs/console.md shows it). The
 * console hides what a role cannot use, but only this decides.
 */
import type { ConsoleRole, Principal } from '../../spec/console-api.js';
import { NaraError } from '../../spec/errors.js';

export type Permission =
  | 'overview'
  | 'residency'
  | 'safety'
  | 'tenants.read'
  | 'tenants.write'
  | 'keys'
  | 'usage'
  | 'backends'
  | 'audit'
  | 'eval';

const grants: Readonly<Record<ConsoleRole, ReadonlySet<Permission>>> = {
  operator: new Set<Permission>(['overview', 'residency', 'safety', 'tenants.read', 'tenants.write', 'keys', 'usage', 'backends', 'audit', 'eval']),
  // Read-only, and only what an auditor checks: the log, where data went, what was blocked.
  auditor: new Set<Permission>(['residency', 'safety', 'audit']),
  // Their own tenant's figures and keys; never another tenant's, never the tenant's own limits.
  tenant_admin: new Set<Permission>(['overview', 'residency', 'safety', 'tenants.read', 'keys', 'usage', 'audit']),
};

export function allows(principal: Principal, permission: Permission): boolean {
  return grants[principal.role].has(permission);
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!allows(principal, permission)) {
    throw new NaraError('forbidden_for_role', `The ${roleName(principal.role)} role may not do this (${permission}).`, { detail: { role: principal.role, permission } });
  }
}

/** The one tenant a principal is confined to (tenant admins), or undefined for all tenants. */
export function tenantScopeOf(principal: Principal): string | undefined {
  return principal.role === 'tenant_admin' ? principal.tenant : undefined;
}

/**
 * The tenant a query may look at: a tenant admin's own whatever they asked; another tenant's id
 * asked by a tenant admin is answered as unknown, so existence does not leak.
 */
export function confineTenant(principal: Principal, asked: string | undefined): string | undefined {
  const scope = tenantScopeOf(principal);
  if (scope === undefined) return asked;
  if (asked !== undefined && asked !== scope) throw new NaraError('tenant_not_found', `No tenant '${asked.slice(0, 64)}'.`, { param: 'tenant' });
  return scope;
}

function roleName(role: ConsoleRole): string {
  return role === 'tenant_admin' ? 'tenant admin' : role;
}

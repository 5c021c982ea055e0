/**
 * The admin API's tenants, keys and usage routes, with what each console role may do there: a
 * tenant admin reads their own tenant and manages its keys; only an operator creates, changes or
 * deletes tenants. Another tenant named by a tenant admin is "not found".
 */
import type { AdminService } from '../admin/admin-service.js';
import { usageCsv, usageRowView, type UsageReport } from '../admin/usage-csv.js';
import { NaraError } from '../spec/errors.js';
import { checkQuery, integerParam, ok, textParam, type Methods, type Reply } from './admin-call.js';
import { confineTenant, requirePermission, tenantScopeOf } from './console/permissions.js';

export function tenantRoutes(id: string | undefined, sub: string | undefined, subId: string | undefined, action: string | undefined): Methods | undefined {
  if (id === undefined) {
    return {
      GET: async ({ service, query, principal }) => {
        requirePermission(principal, 'tenants.read');
        checkQuery(query, ['q', 'offset', 'limit']);
        const scope = tenantScopeOf(principal);
        const all = await service.listTenants();
        const visible = scope === undefined ? all : all.filter((tenant) => tenant.id === scope);
        return tenantPage(visible, query);
      },
      POST: async ({ service, body, principal }) => {
        requirePermission(principal, 'tenants.write');
        return { status: 201, json: await service.createTenant(await body()) };
      },
    };
  }
  if (sub === undefined) {
    return {
      GET: async ({ service, principal }) => {
        requirePermission(principal, 'tenants.read');
        return ok(await service.getTenant(confineTenant(principal, id) ?? id));
      },
      PATCH: async ({ service, body, principal }) => {
        requirePermission(principal, 'tenants.write');
        return ok(await service.updateTenant(id, await body()));
      },
      DELETE: async ({ service, principal }) => {
        requirePermission(principal, 'tenants.write');
        return ok(await service.deleteTenant(id));
      },
    };
  }
  if (sub !== 'keys') return undefined;
  if (subId === undefined) {
    return {
      GET: async ({ service, query, principal }) => {
        requirePermission(principal, 'keys');
        const tenant = confineTenant(principal, id) ?? id;
        await service.getTenant(tenant);
        checkQuery(query, []);
        return ok({ object: 'list', data: await service.listKeys({ tenantId: tenant }) });
      },
      POST: async ({ service, body, principal }) => {
        requirePermission(principal, 'keys');
        return { status: 201, json: await service.createKey(confineTenant(principal, id) ?? id, await body()) };
      },
    };
  }
  return keyRoutes(subId, action, id);
}

/** One key, optionally within a tenant (then another tenant's key is "not found"). */
export function keyRoutes(keyId: string, action: string | undefined, tenantId: string | undefined): Methods | undefined {
  if (action === 'rotate') {
    return {
      POST: async ({ service, body, principal }) => {
        requirePermission(principal, 'keys');
        return { status: 201, json: await service.rotateKey(keyId, await body(), { tenantId: confineTenant(principal, tenantId) }) };
      },
    };
  }
  if (action !== undefined) return undefined;
  return {
    GET: async ({ service, principal }) => {
      requirePermission(principal, 'keys');
      return ok(await service.getKey(keyId, { tenantId: confineTenant(principal, tenantId) }));
    },
    DELETE: async ({ service, principal }) => {
      requirePermission(principal, 'keys');
      return ok(await service.revokeKey(keyId, { tenantId: confineTenant(principal, tenantId) }));
    },
  };
}

export const keyListRoute: Methods = {
  GET: async ({ service, query, principal }) => {
    requirePermission(principal, 'keys');
    checkQuery(query, ['tenant']);
    return ok({ object: 'list', data: await service.listKeys({ tenantId: confineTenant(principal, query.get('tenant') ?? undefined) }) });
  },
};

export const usageRoute: Methods = {
  GET: async ({ service, query, principal }) => {
    requirePermission(principal, 'usage');
    const scope = tenantScopeOf(principal);
    if (scope !== undefined) confineTenant(principal, query.get('tenant') ?? undefined);
    return usageReply(service, query, scope);
  },
};

export async function usageReply(service: AdminService, query: URLSearchParams, tenantId: string | undefined): Promise<Reply> {
  const input: Record<string, string> = {};
  let format = 'json';
  for (const [name, value] of query) {
    const field = name === 'group_by' ? 'groupBy' : name;
    if (field in input || (field === 'format' && query.getAll('format').length > 1)) {
      throw new NaraError('invalid_request', `Query parameter '${name.slice(0, 40)}' is given more than once.`, { param: name.slice(0, 40) });
    }
    if (field === 'format') format = value;
    else input[field] = value;
  }
  if (format !== 'json' && format !== 'csv') {
    throw new NaraError('invalid_request', `Invalid 'format': "${format.slice(0, 40)}" is not a usage format; use json or csv.`, { param: 'format' });
  }
  const report = await service.queryUsage(input, { tenantId });
  return format === 'csv' ? { status: 200, csv: usageCsv(report) } : ok(usageJson(report));
}

function usageJson(report: UsageReport): unknown {
  return { object: 'list', groupBy: report.groupBy, data: report.rows.map((row) => usageRowView(row, report.groupBy)) };
}

/** Tenants, optionally searched (`q`, in id and display name) and paged; `page` says where. */
function tenantPage<T extends { readonly id: string; readonly displayName?: string | undefined }>(tenants: readonly T[], query: URLSearchParams): Reply {
  const q = textParam(query, 'q')?.toLowerCase();
  const matching = q === undefined ? tenants : tenants.filter((tenant) => tenant.id.toLowerCase().includes(q) || (tenant.displayName ?? '').toLowerCase().includes(q));
  const paged = query.has('offset') || query.has('limit');
  if (!paged) return ok({ object: 'list', data: matching });
  const offset = integerParam(query, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER }) ?? 0;
  const limit = integerParam(query, 'limit', { min: 1, max: 500 }) ?? 50;
  return ok({ object: 'list', data: matching.slice(offset, offset + limit), page: { offset, limit, total: matching.length } });
}

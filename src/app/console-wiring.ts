/**
 * Puts the console's server side together: the insights table fed by the audit log (every leaf
 * read at open, then every one appended), the session store, single sign-on from `console.oidc`
 * (rebuilt when a reload changes it) and the built files under dist/console.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NaraConfig } from '../config/types.js';
import type { AuditEvent } from '../spec/audit.js';
import { EventTable } from '../insights/index.js';
import { costMicros } from '../gateway/metering.js';
import type { Gateway } from '../gateway/gateway.js';
import type { AuditLeafObserver } from '../store/audit/file-audit-log.js';
import type { AuditService } from '../store/audit/audit-service.js';
import type { ConsoleContext } from '../server/console/console-context.js';
import { OidcLogin } from '../server/console/oidc-login.js';
import { SessionStore } from '../server/console/session-store.js';
import { ConsoleFiles } from '../server/console-static.js';

/** The table the console's figures read, and the observer that fills it from the audit log. */
export function insightsFeed(maxEvents: number, current: () => NaraConfig): { readonly table: EventTable; readonly observer: AuditLeafObserver } {
  const table = new EventTable({ maxEvents });
  // Cost at today's prices: the usage ledger keeps what was billed; the charts only need the shape.
  const add = (index: number, event: AuditEvent) => {
    const backend = event.backend === null ? undefined : current().backends.find((candidate) => candidate.id === event.backend);
    const usage = event.usage === null ? undefined : { promptTokens: event.usage.prompt, completionTokens: event.usage.completion, cachedTokens: event.usage.cached, estimated: event.usage.estimated };
    table.add(index, event, { costMicros: backend === undefined ? 0 : costMicros(usage, backend.cost), currency: backend?.cost.currency ?? null });
  };
  return {
    table,
    observer: {
      stored(index, line) {
        try {
          add(index, JSON.parse(line.toString('utf8')) as AuditEvent);
        } catch {
          // A damaged line is `nara audit verify`'s finding to report; the charts skip it.
        }
      },
      appended: add,
    },
  };
}

/** dist/console beside the compiled code (src/app and dist/app are both two levels below the package). */
export function consoleBuildDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'console');
}

export interface ConsoleWiring {
  readonly context: ConsoleContext;
  readonly files: ConsoleFiles | undefined;
}

export function wireConsole(input: { readonly current: () => NaraConfig; readonly gateway: () => Gateway; readonly table: EventTable | undefined; readonly audit: AuditService | undefined }): ConsoleWiring {
  const sessions = new SessionStore();
  let oidcFor: { readonly settings: string; readonly login: OidcLogin | undefined } = { settings: '', login: undefined };
  const tenantExists = (id: string) => input.gateway().table.tenants.has(id);
  const oidc = () => {
    const settings = input.current().console.oidc;
    const key = JSON.stringify(settings ?? null);
    if (key !== oidcFor.settings) oidcFor = { settings: key, login: settings === undefined ? undefined : new OidcLogin(settings, tenantExists) };
    return oidcFor.login;
  };
  const files = ConsoleFiles.load(consoleBuildDir());
  const context: ConsoleContext = {
    settings: () => {
      const settings = input.current().console;
      return { enabled: settings.enabled, sessionHours: settings.sessionHours, secureCookies: settings.secureCookies, evalRunsDir: settings.evalRunsDir };
    },
    sessions,
    oidc,
    events: () => input.table,
    audit: () => input.audit,
    tenantExists,
  };
  return { context, files };
}

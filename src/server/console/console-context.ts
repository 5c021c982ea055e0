/**
 * What the console's server side needs from the running Nara: its settings (which change on
 * reload), the session store, single sign-on, the insights table over the audit log and where
 * the eval runs are.
 */
import type { AuditAuthority } from '../../spec/audit.js';
import type { EventTable } from '../../insights/index.js';
import type { SessionStore } from './session-store.js';
import type { OidcLogin } from './oidc-login.js';

export interface ConsoleSettings {
  readonly enabled: boolean;
  readonly sessionHours: number;
  readonly secureCookies: boolean;
  readonly evalRunsDir: string;
}

export interface ConsoleContext {
  readonly settings: () => ConsoleSettings;
  readonly sessions: SessionStore;
  /** Single sign-on, when `console.oidc` is configured. */
  readonly oidc: () => OidcLogin | undefined;
  /** Audit events as the console's figures read them; undefined when the audit log is off. */
  readonly events: () => EventTable | undefined;
  readonly audit: () => AuditAuthority | undefined;
  /** Tenant ids known today (a tenant admin signing in must name one). */
  readonly tenantExists: (id: string) => boolean;
}

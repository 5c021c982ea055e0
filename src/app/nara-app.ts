/**
 * Composes a running Nara from a checked configuration: stores (files or PostgreSQL), limiter
 * (in-process or Redis), engines, routing table, directory index, observers (metrics, logs, usage),
 * health prober, admin API and the HTTP server. Also handles reloads and graceful shutdown.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { NaraConfig, TenantConfig } from '../config/types.js';
import { createEngine } from '../backends/create-engine.js';
import { BackendSlot, engineIdentity } from '../gateway/backend-slot.js';
import { Gateway } from '../gateway/gateway.js';
import type { AdmitSettings } from '../gateway/stages/admit.js';
import { HealthProber } from '../gateway/health-prober.js';
import { RoutingTable } from '../gateway/routing-table.js';
import { GatewayMetrics } from '../observability/metrics.js';
import { createLogging, RequestLog, type Logging } from '../observability/logger.js';
import { createNaraServer } from '../server/http-server.js';
import { tenantDefaults, tenantFromRecord } from '../config/tenants.js';
import { AdminService } from '../admin/admin-service.js';
import { byteEstimate } from '../spec/tokens.js';
import { replaySpool, UsageWriter } from '../observability/usage-writer.js';
import type { DirectoryStore, TenantRecord } from '../spec/directory.js';
import type { UsageLedger } from '../spec/usage.js';
import { DirectoryIndex } from '../store/directory-index.js';
import { openLimiter, openStores } from './open-stores.js';
import { refreshingDirectory } from './refreshing-directory.js';
import { loadCounters } from './token-counters.js';
import { openAudit } from './open-audit.js';
import type { AuditService } from '../store/audit/audit-service.js';
import type { EventTable } from '../insights/index.js';
import { insightsFeed, wireConsole } from './console-wiring.js';

export interface StartOptions {
  /** Overrides config.server.host / port (command-line flags). */
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  /** Where logs go; stdout (asynchronously) by default. */
  readonly logging?: Logging | undefined;
}

export interface RunningNara {
  readonly url: string;
  readonly port: number;
  readonly logger: Logger;
  gateway(): Gateway;
  /** Re-reads tenants and API keys from the store now (they are also re-read on change, within a second). */
  reloadKeys(): Promise<void>;
  /** Writes buffered usage records to the ledger now. */
  flushUsage(): Promise<void>;
  /** Where tenants and keys are stored (files or PostgreSQL), for embedding code and tests. */
  readonly directory: DirectoryStore;
  readonly ledger: UsageLedger;
  /** Applies a new, already checked configuration without dropping requests in flight. */
  reload(config: NaraConfig): Promise<void>;
  /** Stops taking requests, lets in-flight ones finish (up to shutdownGraceMs), then releases everything. */
  close(): Promise<void>;
}

export async function startNara(config: NaraConfig, options: StartOptions = {}): Promise<RunningNara> {
  const logging = options.logging ?? createLogging(config.logging.level);
  const logger = logging.logger;
  // Stores first: a server whose database or Redis is down at start says so and does not start.
  const stores = await openStores(config);
  const toClose: { close(): void | Promise<void> }[] = [stores];
  try {
    // Filled as the audit log is read back, then as it grows: the console's figures.
    const configNow = { current: config };
    const insights = config.audit.enabled ? insightsFeed(config.console.insightsMaxEvents, () => configNow.current) : undefined;
    const audit = config.audit.enabled ? await openAudit(config, process.env, insights?.observer) : undefined;
    if (audit !== undefined) toClose.push(audit);
    let stopPruning = (): void => undefined;
    const replayed = await replaySpool(stores.ledger, config.dataDir, config.metering.batchSize);
    if (replayed > 0) logger.info({ records: replayed }, 'usage records spooled at the last shutdown are now in the ledger');
    // The gateway is built after the directory's first load; later loads update its tenants.
    const late: { gateway?: Gateway; directory?: DirectoryIndex } = {};
    const limits = await openLimiter(config, stores.ledger, (scope, id) => {
      const tenantId = scope === 'tenant' ? id : late.directory?.tenantOfKey(id);
      return tenantId === undefined ? undefined : late.gateway?.table.tenants.get(tenantId)?.budgetCurrency;
    });
    toClose.push(limits.limiter);
    let counters = await loadCounters(config.backends);
    let pendingCounters: typeof counters | undefined;
    let current = config;
    // Stored tenants take their defaults (budget currency, pii) from the configuration in force, so
    // a reload that changes those defaults reaches them too.
    let adminRecords: readonly TenantRecord[] = [];
    const adminTenantsUnder = (settings: NaraConfig) => adminRecords.map((record) => tenantFromRecord(record, 'admin', tenantDefaults(settings)));
    const adminTenants = (records: readonly TenantRecord[]) => {
      adminRecords = records;
      return adminTenantsUnder(current);
    };
    const directory = await DirectoryIndex.open(stores.directory, {
      adminToken: config.adminToken,
      onTenants: (records) => late.gateway?.replaceTable(late.gateway.table.withAdminTenants(adminTenants(records))),
      onError: (error) => logger.error({ err: error }, 'cannot read tenants and keys; keeping those already loaded'),
    });
    late.directory = directory;
    toClose.push(directory);
    const slots = await buildSlots(config, new Map());
    toClose.push({ close: () => Promise.all(slots.map((slot) => slot.engine.close().catch(() => undefined))).then(() => undefined) });
    const usage = new UsageWriter(stores.ledger, {
      flushIntervalMs: config.metering.flushIntervalMs,
      batchSize: config.metering.batchSize,
      spoolDir: config.dataDir,
      onError: (error, pending) => logger.error({ err: error, pending }, 'cannot write usage to the ledger; records are kept and retried'),
    });
    toClose.push(usage);
    const metrics: GatewayMetrics = new GatewayMetrics((): readonly BackendSlot[] => late.gateway?.table.slots ?? []);
    const gateway = new Gateway(new RoutingTable(config, slots, adminTenants(directory.tenants)), directory, [metrics, new RequestLog(logging, config.logging.requests), ...(config.metering.enabled ? [usage] : [])], {
      limits: { limiter: limits.limiter, settings: () => admitSettingsOf(current) },
      counterFor: (backendId) => counters.get(backendId) ?? byteEstimate,
      audit: audit === undefined ? undefined : { sink: audit, onFailure: config.audit.onFailure, provenance: config.audit.provenance },
    });
    late.gateway = gateway;
    const admin = new AdminService({
      directory: refreshingDirectory(stores.directory, () => directory.reload()),
      ledger: stores.ledger,
      configTenants: () => current.tenants,
      beforeUsageQuery: () => usage.flush(),
    });
    const running = await listen({
      config,
      options,
      logger,
      metrics,
      gateway,
      slots,
      admin,
      getCurrent: () => current,
      adminTenantsUnder,
      audit,
      // A reload may name new tokenizers: load them before the new back ends take traffic.
      prepare: async (next) => {
        pendingCounters = await loadCounters(next.backends);
      },
      insights: insights?.table,
      setCurrent: (next) => {
        current = next;
        configNow.current = next;
        counters = pendingCounters ?? counters;
      },
    });
    directory.watch();
    logger.info({ store: stores.description, limiter: limits.description, tenants: gateway.table.tenants.size, keys: directory.size }, 'tenants, keys and usage');
    if (audit !== undefined) {
      // Retention runs at start and every six hours; each tenant's events are kept its own number of days.
      const retentionDays = (tenant: string | null) => (tenant === null ? undefined : gateway.table.tenants.get(tenant)?.audit.retentionDays) ?? current.audit.retentionDays;
      const prune = () =>
        audit
          .prune(retentionDays)
          .then((result) => {
            if (result.events > 0) logger.info({ segments: result.segments, events: result.events }, 'audit segments past retention removed (their leaf hashes are kept)');
          })
          .catch((error: unknown) => logger.error({ err: error }, 'audit retention failed; nothing was removed'));
      void prune();
      const pruning = setInterval(() => void prune(), 6 * 3_600_000).unref();
      stopPruning = () => clearInterval(pruning);
      logger.info({ dir: config.audit.dir, mode: config.audit.mode, leaves: audit.log.size, origin: audit.origin, key: audit.keySource, verifierKey: audit.verifierKey }, 'audit log');
    }
    if (directory.size === 0) logger.warn({ dataDir: config.dataDir }, 'no API keys yet: create one with `nara keys create --tenant <id>`');
    return {
      ...running,
      reloadKeys: () => directory.reload(),
      flushUsage: () => usage.flush(),
      directory: stores.directory,
      ledger: stores.ledger,
      async close() {
        await running.close();
        directory.close();
        // Usage and audit after the last request has ended, so that nothing is left behind.
        await usage.close();
        stopPruning();
        await audit?.close();
        await Promise.allSettled([limits.limiter.close(), stores.close()]);
      },
    };
  } catch (error) {
    for (const resource of toClose.reverse()) await Promise.resolve(resource.close()).catch(() => undefined);
    throw error;
  }
}

/** Built once per configuration, not per request: the admit stage reads these on every limited request. */
const admitSettings = new WeakMap<NaraConfig, AdmitSettings>();
function admitSettingsOf(config: NaraConfig): AdmitSettings {
  let settings = admitSettings.get(config);
  if (settings === undefined) {
    settings = { failOpen: new Set(config.limits.failOpen), defaultMaxTokens: config.limits.defaultMaxTokens };
    admitSettings.set(config, settings);
  }
  return settings;
}

interface ListenInput {
  readonly config: NaraConfig;
  readonly options: StartOptions;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly gateway: Gateway;
  readonly slots: BackendSlot[];
  readonly admin: AdminService;
  getCurrent(): NaraConfig;
  /** Runs before a reloaded configuration takes effect; a failure refuses the reload. */
  prepare(config: NaraConfig): Promise<void>;
  setCurrent(config: NaraConfig): void;
  /** The tenants created through the admin API, with the defaults of `config`. */
  adminTenantsUnder(config: NaraConfig): readonly TenantConfig[];
  readonly audit: AuditService | undefined;
  readonly insights: EventTable | undefined;
}

/** Where the console is, or why it is not there: the second thing an operator looks for. */
function logConsole(logger: Logger, config: NaraConfig, url: string, built: boolean): void {
  if (!config.console.enabled) return;
  if (!built) return logger.warn('the console is not built in this installation (dist/console missing): run `npm run build`');
  const signIn = [config.adminToken === undefined ? undefined : 'admin token', config.console.oidc === undefined ? undefined : 'single sign-on'].filter((way) => way !== undefined);
  if (signIn.length === 0) return logger.info({ console: `${url}/console/` }, `console: nobody can sign in yet; set ${config.adminTokenEnv} (or configure console.oidc) and restart`);
  logger.info({ console: `${url}/console/`, signIn }, 'console');
}

/** The HTTP server, the health prober and reloads; close() drains them and the engines. */
async function listen(input: ListenInput): Promise<Omit<RunningNara, 'reloadKeys' | 'flushUsage' | 'directory' | 'ledger'>> {
  const { config, options, logger, metrics, gateway, admin } = input;
  let slots = input.slots;
  let prober = new HealthProber(() => gateway.table.slots, config.routing.healthCheck, gateway.observers);
  let draining = false;
  const active = { count: 0 };
  const consoleParts = wireConsole({ current: input.getCurrent, gateway: () => gateway, table: input.insights, audit: input.audit });
  const server = createNaraServer({
    console: consoleParts.context,
    consoleFiles: consoleParts.files,
    active,
    gateway: () => gateway,
    metrics,
    logger,
    maxBodyBytes: () => input.getCurrent().server.maxBodyBytes,
    clientStallMs: () => input.getCurrent().server.clientStallMs,
    debugBodies: () => input.getCurrent().logging.debugBodies,
    isDraining: () => draining,
    admin: () => admin,
    adminToken: () => input.getCurrent().adminToken,
    audit: () => input.audit,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.server.port, options.host ?? config.server.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  // The first line an operator (or a script) sees says where Nara listens.
  logger.info({ url, config: config.source, backends: config.backends.map((backend) => `${backend.id}@${backend.jurisdiction}`) }, 'Nara is listening');
  logConsole(logger, config, url, consoleParts.files !== undefined);
  prober.start();

  let reloading: Promise<void> = Promise.resolve();
  const applyReload = async (next: NaraConfig): Promise<void> => {
    await input.prepare(next);
    const previous = slots;
    const reusable = new Map(previous.map((slot) => [engineIdentity(slot.config), slot]));
    slots = await buildSlots(next, reusable);
    input.setCurrent(next);
    gateway.replaceTable(new RoutingTable(next, slots, input.adminTenantsUnder(next)));
    prober.stop();
    prober = new HealthProber(() => gateway.table.slots, next.routing.healthCheck, gateway.observers);
    prober.start();
    const kept = new Set(slots.map((slot) => slot.engine));
    const retired = previous.filter((slot) => !kept.has(slot.engine));
    void closeWhenIdle(retired, next.server.shutdownGraceMs);
    logger.info({ backends: slots.length, tenants: gateway.table.tenants.size }, 'configuration reloaded');
  };

  return {
    url,
    port: address.port,
    logger,
    gateway: () => gateway,
    reload(next) {
      // One reload at a time, in the order asked: overlapping ones could close slots the other reuses.
      const run = reloading.then(() => applyReload(next));
      reloading = run.catch(() => undefined);
      return run;
    },
    async close() {
      draining = true;
      prober.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await waitUntilIdle(slots, input.getCurrent().server.shutdownGraceMs, active);
      server.closeAllConnections();
      await closed;
      await Promise.all(slots.map((slot) => slot.engine.close().catch(() => undefined)));
    },
  };
}

/**
 * Back ends whose engine identity did not change keep their slot across a reload: the same engine,
 * connections, in-flight count and circuit state (with the new weight, models, cost and labels).
 */
async function buildSlots(config: NaraConfig, reusable: ReadonlyMap<string, BackendSlot>): Promise<BackendSlot[]> {
  const built = await Promise.allSettled(
    config.backends.map(async (backend) => {
      const kept = reusable.get(engineIdentity(backend));
      if (kept !== undefined) {
        kept.updateConfig(backend);
        return kept;
      }
      return new BackendSlot(backend, await createEngine(backend), config.routing.circuitBreaker);
    }),
  );
  const failed = built.find((result) => result.status === 'rejected');
  if (failed === undefined) return built.map((result) => (result as PromiseFulfilledResult<BackendSlot>).value);
  // Close what this attempt created, so a failed reload leaks no engine.
  const reused = new Set(reusable.values());
  for (const result of built) {
    if (result.status === 'fulfilled' && !reused.has(result.value)) void result.value.engine.close().catch(() => undefined);
  }
  throw (failed as PromiseRejectedResult).reason;
}

async function waitUntilIdle(slots: readonly BackendSlot[], graceMs: number, active: { readonly count: number } = { count: 0 }): Promise<void> {
  const deadline = Date.now() + graceMs;
  while ((active.count > 0 || slots.some((slot) => slot.inFlight > 0)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function closeWhenIdle(slots: readonly BackendSlot[], graceMs: number): Promise<void> {
  await waitUntilIdle(slots, graceMs);
  await Promise.all(slots.map((slot) => slot.engine.close().catch(() => undefined)));
}

/**
 * Composes a running Nara from a checked configuration: engines, routing table, key index,
 * observers, health prober and the HTTP server. Also handles reloads and graceful shutdown.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { NaraConfig } from '../config/types.js';
import { createEngine } from '../backends/create-engine.js';
import { BackendSlot, engineIdentity } from '../gateway/backend-slot.js';
import { Gateway } from '../gateway/gateway.js';
import { HealthProber } from '../gateway/health-prober.js';
import { RoutingTable } from '../gateway/routing-table.js';
import { GatewayMetrics } from '../observability/metrics.js';
import { createLogging, RequestLog, type Logging } from '../observability/logger.js';
import { createNaraServer } from '../server/http-server.js';
import { KeyFileStore } from '../store/key-file-store.js';
import { FileKeyIndex } from '../store/key-index.js';

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
  /** Re-reads the API key file now (it is also re-read on change, within a second). */
  reloadKeys(): void;
  /** Applies a new, already checked configuration without dropping requests in flight. */
  reload(config: NaraConfig): Promise<void>;
  /** Stops taking requests, lets in-flight ones finish (up to shutdownGraceMs), then releases everything. */
  close(): Promise<void>;
}

export async function startNara(config: NaraConfig, options: StartOptions = {}): Promise<RunningNara> {
  const logging = options.logging ?? createLogging(config.logging.level);
  const logger = logging.logger;
  let current = config;
  let slots = await buildSlots(config, new Map());
  const keys = new FileKeyIndex(new KeyFileStore(config.dataDir), (error) => logger.error({ err: error }, 'cannot read the key file; keeping the keys already loaded'));
  keys.watch();
  const metrics: GatewayMetrics = new GatewayMetrics((): readonly BackendSlot[] => gateway.table.slots);
  const gateway: Gateway = new Gateway(new RoutingTable(config, slots), keys, [metrics, new RequestLog(logging, config.logging.requests)]);
  let prober = new HealthProber(() => gateway.table.slots, config.routing.healthCheck, gateway.observers);

  let draining = false;
  const server = createNaraServer({
    gateway: () => gateway,
    metrics,
    logger,
    maxBodyBytes: () => current.server.maxBodyBytes,
    clientStallMs: () => current.server.clientStallMs,
    debugBodies: () => current.logging.debugBodies,
    isDraining: () => draining,
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
  if (keys.size === 0) logger.warn({ dataDir: config.dataDir }, 'no API keys yet: create one with `nara keys create --tenant <id>`');
  prober.start();

  let reloading: Promise<void> = Promise.resolve();
  const applyReload = async (next: NaraConfig): Promise<void> => {
    const previous = slots;
    const reusable = new Map(previous.map((slot) => [engineIdentity(slot.config), slot]));
    slots = await buildSlots(next, reusable);
    current = next;
    gateway.replaceTable(new RoutingTable(next, slots));
    prober.stop();
    prober = new HealthProber(() => gateway.table.slots, next.routing.healthCheck, gateway.observers);
    prober.start();
    const kept = new Set(slots.map((slot) => slot.engine));
    const retired = previous.filter((slot) => !kept.has(slot.engine));
    void closeWhenIdle(retired, next.server.shutdownGraceMs);
    logger.info({ backends: slots.length, tenants: next.tenants.length }, 'configuration reloaded');
  };

  return {
    url,
    port: address.port,
    logger,
    gateway: () => gateway,
    reloadKeys: () => keys.reload(),
    reload(next) {
      // One reload at a time, in the order asked: overlapping ones could close slots the other reuses.
      const run = reloading.then(() => applyReload(next));
      reloading = run.catch(() => undefined);
      return run;
    },
    async close() {
      draining = true;
      prober.stop();
      keys.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await waitUntilIdle(slots, current.server.shutdownGraceMs);
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

async function waitUntilIdle(slots: readonly BackendSlot[], graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (slots.some((slot) => slot.inFlight > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function closeWhenIdle(slots: readonly BackendSlot[], graceMs: number): Promise<void> {
  await waitUntilIdle(slots, graceMs);
  await Promise.all(slots.map((slot) => slot.engine.close().catch(() => undefined)));
}

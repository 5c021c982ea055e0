/**
 * Probes every back end's health on a timer, with requests that carry no user data (the engine's
 * own health call). Unhealthy back ends are skipped by the balancer until a probe succeeds again,
 * and are re-probed every second (not every interval) so that an engine that finished loading
 * or came back is used again at once.
 */
import type { BackendSlot } from './backend-slot.js';
import type { GatewayObserver } from './events.js';

const unhealthyRetryMs = 1_000;

export interface ProbeSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export class HealthProber {
  private timer: NodeJS.Timeout | undefined;
  /** Back ends with a probe in flight: a slow one never holds up the others. */
  private readonly probing = new WeakSet<BackendSlot>();
  private readonly lastProbe = new WeakMap<BackendSlot, number>();

  constructor(
    private readonly slots: () => readonly BackendSlot[],
    private readonly settings: ProbeSettings,
    private readonly observers: readonly GatewayObserver[],
  ) {}

  start(): void {
    if (this.settings.intervalMs === 0 || this.timer !== undefined) return;
    void this.probeAll();
    const tick = Math.min(this.settings.intervalMs, unhealthyRetryMs);
    this.timer = setInterval(() => void this.probeDue(), tick);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over all back ends (those with a probe still in flight are skipped). */
  async probeAll(): Promise<void> {
    await this.round(this.slots());
  }

  /** Unhealthy back ends every tick; healthy ones once per interval. */
  private async probeDue(): Promise<void> {
    const now = Date.now();
    const due = this.slots().filter((slot) => !slot.healthy || now - (this.lastProbe.get(slot) ?? 0) >= this.settings.intervalMs);
    await this.round(due);
  }

  private async round(slots: readonly BackendSlot[]): Promise<void> {
    await Promise.all(slots.filter((slot) => !this.probing.has(slot)).map((slot) => this.probe(slot)));
  }

  private async probe(slot: BackendSlot): Promise<void> {
    this.probing.add(slot);
    this.lastProbe.set(slot, Date.now());
    try {
      await this.check(slot);
    } finally {
      this.probing.delete(slot);
    }
  }

  private async check(slot: BackendSlot): Promise<void> {
    const health = await slot.engine
      .checkHealth(AbortSignal.timeout(this.settings.timeoutMs))
      .catch((error: unknown) => ({ healthy: false, reason: error instanceof Error ? error.message : 'probe failed' }));
    const changed = slot.healthy !== health.healthy;
    slot.healthy = health.healthy;
    slot.healthReason = health.reason;
    if (changed) for (const observer of this.observers) observer.onBackendHealth?.(slot.id, health.healthy, health.reason);
  }
}

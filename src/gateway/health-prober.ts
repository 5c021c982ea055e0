/**
 * Probes every back end's health on a timer, with requests that carry no user data (the engine's
 * own health call). Unhealthy back ends are skipped by the balancer until a probe succeeds again.
 */
import type { BackendSlot } from './backend-slot.js';
import type { GatewayObserver } from './events.js';

export interface ProbeSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export class HealthProber {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly slots: () => readonly BackendSlot[],
    private readonly settings: ProbeSettings,
    private readonly observers: readonly GatewayObserver[],
  ) {}

  start(): void {
    if (this.settings.intervalMs === 0 || this.timer !== undefined) return;
    void this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.settings.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over all back ends; overlapping rounds are skipped. */
  async probeAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await Promise.all(this.slots().map((slot) => this.probe(slot)));
    } finally {
      this.running = false;
    }
  }

  private async probe(slot: BackendSlot): Promise<void> {
    const health = await slot.engine
      .checkHealth(AbortSignal.timeout(this.settings.timeoutMs))
      .catch((error: unknown) => ({ healthy: false, reason: error instanceof Error ? error.message : 'probe failed' }));
    const changed = slot.healthy !== health.healthy;
    slot.healthy = health.healthy;
    slot.healthReason = health.reason;
    if (changed) for (const observer of this.observers) observer.onBackendHealth?.(slot.id, health.healthy, health.reason);
  }
}

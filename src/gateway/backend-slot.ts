/**
 * A back end as the router sees it: its configuration, its engine, and the live state used to
 * choose among candidates (requests in flight, health from probes, circuit breaker).
 */
import type { Engine } from '../spec/engine.js';
import type { BackendConfig } from '../config/types.js';
import { CircuitBreaker, type CircuitSettings } from './circuit-breaker.js';

export class BackendSlot {
  readonly id: string;
  readonly jurisdiction: string;
  inFlight = 0;
  /** From the health prober; assumed healthy until a probe says otherwise. */
  healthy = true;
  healthReason: string | undefined;
  readonly circuit: CircuitBreaker;

  private current: BackendConfig;

  constructor(config: BackendConfig, readonly engine: Engine, circuit: CircuitSettings) {
    this.current = config;
    this.id = config.id;
    this.jurisdiction = config.jurisdiction;
    this.circuit = new CircuitBreaker(circuit);
  }

  get config(): BackendConfig {
    return this.current;
  }

  /**
   * A reload that changed only what the router reads (weight, models, cost, labels) keeps the slot
   * and its engine. Anything that defines where and how the engine is reached — id, jurisdiction,
   * URL, headers, GGUF file, timeouts, concurrency — needs a new slot (see `engineIdentity`).
   */
  updateConfig(config: BackendConfig): void {
    if (engineIdentity(config) !== engineIdentity(this.current)) throw new Error(`back end ${this.id}: engine identity changed; build a new slot`);
    this.current = config;
  }

  get saturated(): boolean {
    return this.inFlight >= this.config.maxConcurrency;
  }

  /** Healthy and not circuit-broken. */
  get available(): boolean {
    return this.healthy && this.circuit.canAttempt();
  }
}

/** The fields that decide where and how an engine is reached; equal identities can share a slot. */
export function engineIdentity(config: BackendConfig): string {
  const { weight: _weight, models: _models, cost: _cost, region: _region, operator: _operator, accelerator: _accelerator, ...identity } = config;
  return JSON.stringify(identity);
}

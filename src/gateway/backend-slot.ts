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

  constructor(readonly config: BackendConfig, readonly engine: Engine, circuit: CircuitSettings) {
    this.id = config.id;
    this.jurisdiction = config.jurisdiction;
    this.circuit = new CircuitBreaker(circuit);
  }

  get saturated(): boolean {
    return this.inFlight >= this.config.maxConcurrency;
  }

  /** Healthy and not circuit-broken. */
  get available(): boolean {
    return this.healthy && this.circuit.canAttempt();
  }
}

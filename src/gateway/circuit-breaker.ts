/**
 * A circuit breaker per back end: after `failureThreshold` failures in a row the back end is skipped
 * for `cooldownMs`; then one trial request is let through (half-open). A success closes it again.
 */
export interface CircuitSettings {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(private readonly settings: CircuitSettings, private readonly now: () => number = Date.now) {}

  state(): CircuitState {
    if (this.consecutiveFailures < this.settings.failureThreshold) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** Whether a request may be sent now; in half-open state only one trial at a time. */
  canAttempt(): boolean {
    const state = this.state();
    if (state === 'closed') return true;
    return state === 'half-open' && !this.trialInFlight;
  }

  /** Call when a request is actually sent. */
  onAttempt(): void {
    if (this.state() === 'half-open') this.trialInFlight = true;
  }

  onSuccess(): void {
    this.consecutiveFailures = 0;
    this.trialInFlight = false;
  }

  /** The attempt ended without a verdict on the engine (the client left): free the trial only. */
  onAbandoned(): void {
    this.trialInFlight = false;
  }

  onFailure(): void {
    this.consecutiveFailures += 1;
    this.trialInFlight = false;
    if (this.consecutiveFailures >= this.settings.failureThreshold) this.openUntil = this.now() + this.settings.cooldownMs;
  }
}

/**
 * The routing invariant, attacked with random tenants, policies, back-end placements, health states
 * and failures: whatever happens, every engine that receives a request is in a jurisdiction the
 * tenant's policy allows — on the first try, on failover, and after the policy changes mid-request.
 */
import { defaultPiiPolicy } from '../src/spec/pii-policy.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engineSpecVersion, type Engine, type EngineResult } from '../src/spec/engine.js';
import { NaraError } from '../src/spec/errors.js';
import type { Operation } from '../src/spec/openai.js';
import type { BackendConfig, TenantConfig } from '../src/config/types.js';
import { BackendSlot } from '../src/gateway/backend-slot.js';
import { createContext } from '../src/gateway/request-context.js';
import { routeWithFailover } from '../src/gateway/router.js';
import { RoutingTable } from '../src/gateway/routing-table.js';
import { applyResidency } from '../src/gateway/stages/residency.js';
import { parseConfig } from './support/nara-harness.js';
import { disabledSafetyPolicy } from '../src/safety/safety-policy.js';

const jurisdictions = ['KR', 'JP', 'TH', 'ID', 'VN', 'SA', 'AE', 'US'] as const;
const models = ['hcx', 'exaone', 'sealion'] as const;
const failureCodes = ['upstream_error', 'upstream_timeout', 'upstream_rate_limited', 'upstream_rejected', 'stream_interrupted'] as const;

/** An in-memory engine that records calls and fails as told. */
function scriptedEngine(id: string, outcome: 'ok' | (typeof failureCodes)[number], calls: string[]): Engine {
  const answer = async (): Promise<EngineResult> => {
    calls.push(id);
    if (outcome !== 'ok') throw new NaraError(outcome, `scripted ${outcome}`);
    return { body: '{}', usage: undefined };
  };
  return {
    specVersion: engineSpecVersion,
    id,
    operations: new Set<Operation>(['chat']),
    doGenerate: answer,
    doEmbed: answer,
    doStream: async () => {
      throw new Error('not used');
    },
    checkHealth: async () => ({ healthy: true }),
    close: async () => undefined,
  };
}

const backendArbitrary = fc.record({
  jurisdiction: fc.constantFrom(...jurisdictions),
  models: fc.subarray([...models], { minLength: 1 }),
  healthy: fc.boolean(),
  circuitOpen: fc.boolean(),
  outcome: fc.constantFrom('ok' as const, ...failureCodes),
  weight: fc.integer({ min: 1, max: 5 }),
  inFlight: fc.integer({ min: 0, max: 4 }),
});

const scenarioArbitrary = fc.record({
  backends: fc.array(backendArbitrary, { minLength: 1, maxLength: 8 }),
  policy: fc.subarray([...jurisdictions], { minLength: 1 }),
  narrowedPolicy: fc.option(fc.subarray([...jurisdictions], { minLength: 1 }), { nil: undefined }),
  // A reload after the first attempt that moves one back end (same id) to another jurisdiction.
  relabel: fc.option(fc.record({ index: fc.nat(7), jurisdiction: fc.constantFrom(...jurisdictions) }), { nil: undefined }),
  model: fc.constantFrom(...models),
  maxAttempts: fc.integer({ min: 1, max: 6 }),
});

describe('routing invariant (property)', () => {
  it('never calls an engine outside the tenant policy, whatever the health, failures or reloads', async () => {
    const base = parseConfig('backends: [{ id: x, url: "http://127.0.0.1:1/v1", jurisdiction: KR, models: [m] }]', '/tmp/unused');
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async (scenario) => {
        const calls: string[] = [];
        const slots = scenario.backends.map((spec, index) => {
          const config = { ...base.backends[0], id: `b${index}`, jurisdiction: spec.jurisdiction, weight: spec.weight, maxConcurrency: 8, models: spec.models.map((name) => ({ name, upstream: name })) } as BackendConfig;
          const slot = new BackendSlot(config, scriptedEngine(config.id, spec.outcome, calls), { failureThreshold: 1, cooldownMs: 60_000 });
          slot.healthy = spec.healthy;
          slot.inFlight = spec.inFlight;
          if (spec.circuitOpen) slot.circuit.onFailure();
          return slot;
        });
        const tenant: TenantConfig = { id: 't', displayName: undefined, jurisdictions: new Set(scenario.policy), models: undefined, homeJurisdiction: undefined, contact: undefined, limits: {}, budgetCurrency: undefined, pii: defaultPiiPolicy, piiInput: undefined, audit: { content: 'none', retentionDays: 365, embedProvenance: false }, auditInput: undefined, safety: disabledSafetyPolicy, safetyInput: undefined, managedBy: 'config' };
        const table = new RoutingTable({ ...base, tenants: [tenant] }, slots);
        if (!table.serves(scenario.model)) return;

        // Policy and back ends in force at the time of each attempt: changed after the first attempt when drawn.
        let currentPolicy = tenant;
        const currentSlots = new Map(slots.map((slot) => [slot.id, slot]));
        const allowedAtCall: boolean[] = [];
        const residency = applyResidency(scenario.model, tenant, table);
        if (!residency.ok) {
          expect(residency.error.code).toBe('jurisdiction_not_allowed');
          expect(slots.some((slot) => slot.config.models.some((m) => m.name === scenario.model) && tenant.jurisdictions.has(slot.jurisdiction))).toBe(false);
          return;
        }
        const context = createContext('r', 'chat');
        context.tenant = tenant;
        context.model = scenario.model;
        const settings = { maxAttempts: scenario.maxAttempts, currentTenant: () => currentPolicy, currentSlot: (id: string) => currentSlots.get(id), observers: [] };
        await routeWithFailover(context, residency.value.candidates, settings, async (candidate) => {
          // Where this call really goes is the *current* declaration of the back end it reaches.
          const live = currentSlots.get(candidate.id);
          allowedAtCall.push(live === candidate.slot && currentPolicy.jurisdictions.has(live.jurisdiction) && tenant.jurisdictions.has(live.jurisdiction));
          if (scenario.narrowedPolicy !== undefined) currentPolicy = { ...tenant, jurisdictions: new Set(scenario.narrowedPolicy) };
          const moved = scenario.relabel === undefined ? undefined : slots[scenario.relabel.index % slots.length];
          if (moved !== undefined && scenario.relabel !== undefined) {
            const config = { ...moved.config, jurisdiction: scenario.relabel.jurisdiction } as BackendConfig;
            currentSlots.set(moved.id, new BackendSlot(config, moved.engine, { failureThreshold: 1, cooldownMs: 60_000 }));
          }
          return candidate.slot.engine.doGenerate('chat', { model: candidate.upstreamModel, messages: [] }, { signal: context.cancellation.signal, requestId: 'r' });
        }).catch((error: unknown) => {
          expect(error).toBeInstanceOf(NaraError);
          expect((error as NaraError).status).not.toBe(500);
        });
        expect(allowedAtCall.every(Boolean)).toBe(true);
        for (const id of calls) {
          const slot = slots.find((candidate) => candidate.id === id);
          expect(tenant.jurisdictions.has(slot?.jurisdiction ?? '')).toBe(true);
        }
        expect(calls.length).toBeLessThanOrEqual(scenario.maxAttempts);
        expect(new Set(calls).size).toBe(calls.length);
        // Every failed attempt released its slot.
        scenario.backends.forEach((spec, index) => expect(slots[index]?.inFlight).toBeLessThanOrEqual(spec.inFlight + 1));
      }),
      { numRuns: 500 },
    );
  });
});

/** The console's figures, computed by src/insights from audit events held in an EventTable. */
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/spec/audit.js';
import type { StageRecord } from '../src/spec/stage.js';
import { EventTable, latencyEdgesMs, listEvents, overview, residency, safetyCounts, type IngestFacts, type TenantPolicyFacts } from '../src/insights/index.js';
import { latencyBinOf } from '../src/insights/latency-histogram.js';
import { parseSafetyNote } from '../src/insights/safety-note.js';

const t0 = Date.UTC(2025, 0, 1);
const minute = 60_000;
const hour = 3_600_000;
const day = 86_400_000;
const secret = 'my resident number is 900101-1234567';

interface Shape extends Partial<Omit<AuditEvent, 'time'>> {
  /** Epoch milliseconds. */
  readonly at?: number;
}

function event(shape: Shape = {}): AuditEvent {
  const { at = t0, ...rest } = shape;
  return {
    v: 1,
    time: new Date(at).toISOString(),
    requestId: 'req',
    meterId: 'meter',
    endpoint: '/v1/chat/completions',
    stream: false,
    tenant: 'moi',
    keyId: 'key-1',
    model: 'exaone',
    backend: 'seoul-1',
    jurisdiction: 'KR',
    homeJurisdiction: 'KR',
    crossBorder: false,
    stages: [],
    pii: null,
    status: 200,
    code: null,
    attempts: 1,
    latencyMs: 100,
    usage: { prompt: 10, completion: 20, cached: 0, estimated: false },
    requestSha256: null,
    answerSha256: null,
    content: { mode: 'full', request: secret, answer: secret },
    provenanceId: null,
    ...rest,
  };
}

const priced: IngestFacts = { costMicros: 1500, currency: 'KRW' };

/** A table holding the shapes in order, leaf indices 0, 1, 2… */
function tableOf(shapes: readonly Shape[], options?: { maxEvents?: number }): EventTable {
  const table = new EventTable(options);
  shapes.forEach((shape, index) => table.add(index, event({ requestId: `req-${index}`, ...shape }), priced));
  return table;
}

describe('overview', () => {
  it('fills every bucket of the window, empty ones with zeros and null latencies', () => {
    const table = tableOf([{ at: t0 + 1000 }, { at: t0 + 59_000, status: 502, code: 'backend_unavailable' }, { at: t0 + 2 * minute + 5 }]);
    const answer = overview(table, { from: t0, to: t0 + 5 * minute });
    expect(answer.bucketSeconds).toBe(60);
    expect(answer.from).toBe('2025-01-01T00:00:00.000Z');
    expect(answer.series.map((bucket) => bucket.t)).toEqual([0, 1, 2, 3, 4].map((at) => new Date(t0 + at * minute).toISOString()));
    expect(answer.series.map((bucket) => bucket.requests)).toEqual([2, 0, 1, 0, 0]);
    expect(answer.series.map((bucket) => bucket.errors)).toEqual([1, 0, 0, 0, 0]);
    expect(answer.series[1]).toEqual({ t: '2025-01-01T00:01:00.000Z', requests: 0, errors: 0, tokensIn: 0, tokensOut: 0, cost: {}, latencyP50Ms: null, latencyP95Ms: null });
    expect(answer.totals).toMatchObject({ requests: 3, errors: 1, tokensIn: 30, tokensOut: 60, cost: { KRW: 4500 } });
    expect(answer.errorCodes).toEqual([{ code: 'backend_unavailable', count: 1 }]);
    expect(answer.eventsIndexed).toBe(3);
  });

  it('keeps the window half-open and sums cost per currency', () => {
    const table = new EventTable();
    table.add(0, event({ at: t0 - 1 }), priced);
    table.add(1, event({ at: t0 }), { costMicros: 2_000_000, currency: 'USD' });
    table.add(2, event({ at: t0 + 10 }), priced);
    table.add(3, event({ at: t0 + hour }), priced);
    table.add(4, event({ at: t0 + 20, usage: null }), { costMicros: 999, currency: null });
    const answer = overview(table, { from: t0, to: t0 + hour });
    expect(answer.totals.requests).toBe(3);
    expect(answer.totals.cost).toEqual({ USD: 2_000_000, KRW: 1500 });
    expect(answer.totals.tokensIn).toBe(20);
  });

  it('chooses minute, hour or day buckets by the window, and coarser ones past 2,000', () => {
    const table = tableOf([{ at: t0 }]);
    expect(overview(table, { from: t0, to: t0 + 6 * hour }).bucketSeconds).toBe(60);
    expect(overview(table, { from: t0, to: t0 + 6 * hour + 1 }).bucketSeconds).toBe(3600);
    expect(overview(table, { from: t0, to: t0 + 14 * day }).bucketSeconds).toBe(3600);
    expect(overview(table, { from: t0, to: t0 + 15 * day }).series).toHaveLength(15);
    const asked = overview(table, { from: t0, to: t0 + 30 * day, bucket: 'minute' });
    expect(asked.bucketSeconds).toBe(3600);
    expect(asked.series).toHaveLength(720);
    const decade = overview(table, { from: t0, to: t0 + 3650 * day });
    expect(decade.series.length).toBeLessThanOrEqual(2000);
    expect(decade.bucketSeconds % 86_400).toBe(0);
    expect(decade.totals.requests).toBe(1);
    expect(decade.series.reduce((sum, bucket) => sum + bucket.requests, 0)).toBe(1);
  });

  it('aligns buckets to whole minutes of UTC', () => {
    const table = tableOf([{ at: t0 + 90_000 }]);
    const answer = overview(table, { from: t0 + 30_000, to: t0 + 150_000 });
    expect(answer.series.map((bucket) => [bucket.t, bucket.requests])).toEqual([
      ['2025-01-01T00:00:00.000Z', 0],
      ['2025-01-01T00:01:00.000Z', 1],
      ['2025-01-01T00:02:00.000Z', 0],
    ]);
  });

  it('reports latency percentiles within the histogram resolution', () => {
    const table = tableOf(Array.from({ length: 100 }, (_, at) => ({ at: t0 + at, latencyMs: at + 1 })));
    const { totals } = overview(table, { from: t0, to: t0 + minute });
    const step = (latencyEdgesMs[10] ?? 0) / (latencyEdgesMs[9] ?? 1);
    expect(step).toBeLessThan(1.3);
    expect(totals.latencyP50Ms).toBeGreaterThanOrEqual(50);
    expect(totals.latencyP50Ms).toBeLessThanOrEqual(50 * step);
    expect(totals.latencyP95Ms).toBeGreaterThanOrEqual(95);
    expect(totals.latencyP95Ms).toBeLessThanOrEqual(95 * step);
  });

  it('bins latencies at the first edge at or above them', () => {
    expect(latencyBinOf(0)).toBe(0);
    expect(latencyBinOf(0.1)).toBe(0);
    expect(latencyBinOf(Number.NaN)).toBe(0);
    expect(latencyBinOf(10 * 60_000)).toBe(63);
    expect(latencyBinOf(3_600_000)).toBe(63);
    for (let bin = 1; bin < 63; bin++) {
      const edge = latencyEdgesMs[bin] ?? 0;
      expect(latencyBinOf(edge)).toBe(bin);
      expect(latencyBinOf(edge * 1.0001)).toBe(bin + 1);
    }
  });

  it('ranks the top 50 tenants, models and back ends, "(none)" for a missing id', () => {
    const shapes: Shape[] = [];
    for (let tenant = 0; tenant < 60; tenant++) for (let n = 0; n <= tenant; n++) shapes.push({ at: t0 + shapes.length, tenant: `t${tenant}` });
    shapes.push({ at: t0 + shapes.length, tenant: null, model: null, backend: null, status: 401, code: 'invalid_api_key' });
    const answer = overview(tableOf(shapes), { from: t0, to: t0 + hour });
    expect(answer.byTenant).toHaveLength(50);
    expect(answer.byTenant[0]).toMatchObject({ key: 't59', requests: 60 });
    expect(answer.byTenant[49]).toMatchObject({ key: 't10', requests: 11 });
    expect(answer.byModel).toEqual([expect.objectContaining({ key: 'exaone', requests: shapes.length - 1 }), expect.objectContaining({ key: '(none)', requests: 1, errors: 1 })]);
    expect(answer.byBackend.map((group) => group.key)).toEqual(['seoul-1', '(none)']);
  });

  it('filters by tenant, model and back end; an unknown value matches nothing', () => {
    const table = tableOf([
      { at: t0, tenant: 'a', model: 'm1', backend: 'b1' },
      { at: t0 + 1, tenant: 'a', model: 'm2', backend: 'b2' },
      { at: t0 + 2, tenant: 'b', model: 'm1', backend: 'b1' },
    ]);
    const window = { from: t0, to: t0 + minute };
    expect(overview(table, { ...window, tenant: 'a' }).totals.requests).toBe(2);
    expect(overview(table, { ...window, tenant: 'a', model: 'm1' }).totals.requests).toBe(1);
    expect(overview(table, { ...window, backend: 'b1' }).totals.requests).toBe(2);
    const none = overview(table, { ...window, tenant: 'nobody' });
    expect(none.totals.requests).toBe(0);
    expect(none.series).toHaveLength(1);
    expect(none.byTenant).toEqual([]);
  });

  it('sorts error codes by count', () => {
    const table = tableOf([
      { status: 429, code: 'rate_limited' },
      { status: 502, code: 'backend_unavailable' },
      { status: 429, code: 'rate_limited' },
      { status: 500, code: null },
      { status: 200 },
    ]);
    expect(overview(table, { from: t0, to: t0 + 1 }).errorCodes).toEqual([
      { code: 'rate_limited', count: 2 },
      { code: '(none)', count: 1 },
      { code: 'backend_unavailable', count: 1 },
    ]);
  });

  it('refuses a window that is not a time', () => {
    expect(() => overview(new EventTable(), { from: Number.NaN, to: t0 })).toThrow(RangeError);
  });
});

describe('residency', () => {
  const tenants: TenantPolicyFacts[] = [
    { id: 'moi', home: 'KR', allowed: ['KR'] },
    { id: 'MOFA', home: 'KR', allowed: ['KR', 'JP'] },
    { id: 'idle', home: 'TH', allowed: ['TH'] },
  ];
  const shapes: Shape[] = [
    { tenant: 'moi', jurisdiction: 'KR' },
    { tenant: 'moi', jurisdiction: 'KR' },
    { tenant: 'moi', jurisdiction: null, backend: null, status: 403, code: 'jurisdiction_not_allowed' },
    { tenant: 'MOFA', jurisdiction: 'JP', crossBorder: true },
    { tenant: 'MOFA', jurisdiction: 'KR' },
    { tenant: 'MOFA', jurisdiction: 'JP', crossBorder: true },
    { tenant: 'MOFA', jurisdiction: 'JP', crossBorder: true },
    // No longer configured: home and crossings come from its events.
    { tenant: 'old-ministry', homeJurisdiction: 'VN', jurisdiction: 'SG', crossBorder: true },
    { tenant: 'gone', homeJurisdiction: null, jurisdiction: 'SG', crossBorder: true },
    { tenant: 'gone', homeJurisdiction: null, jurisdiction: 'TH', crossBorder: false },
    { tenant: null, jurisdiction: null, status: 401, code: 'invalid_api_key' },
  ];
  const window = { from: t0, to: t0 + minute };

  it('lists every configured tenant and those seen but no longer configured, by requests', () => {
    const answer = residency(tableOf(shapes), window, tenants);
    expect(answer.tenants.map((row) => [row.tenant, row.requests])).toEqual([
      ['MOFA', 4],
      ['moi', 3],
      ['gone', 2],
      ['old-ministry', 1],
      ['idle', 0],
    ]);
    expect(answer.page).toEqual({ offset: 0, limit: 50, total: 5 });
    const [mofa, moi, gone, old, idle] = answer.tenants;
    expect(mofa).toEqual({
      tenant: 'MOFA',
      home: 'KR',
      allowed: ['KR', 'JP'],
      requests: 4,
      served: [
        { jurisdiction: 'JP', requests: 3, crossBorder: true },
        { jurisdiction: 'KR', requests: 1, crossBorder: false },
      ],
      crossBorder: 3,
      denials: 0,
    });
    expect(moi).toMatchObject({ served: [{ jurisdiction: 'KR', requests: 2, crossBorder: false }], crossBorder: 0, denials: 1 });
    expect(gone).toMatchObject({ home: null, allowed: [], crossBorder: 1 });
    expect(gone?.served).toEqual([
      { jurisdiction: 'SG', requests: 1, crossBorder: true },
      { jurisdiction: 'TH', requests: 1, crossBorder: false },
    ]);
    expect(old).toMatchObject({ home: 'VN', allowed: [], crossBorder: 1, served: [{ jurisdiction: 'SG', requests: 1, crossBorder: true }] });
    expect(idle).toEqual({ tenant: 'idle', home: 'TH', allowed: ['TH'], requests: 0, served: [], crossBorder: 0, denials: 0 });
    expect(answer.totals).toEqual({ requests: 10, crossBorder: 5, denials: 1 });
  });

  it('judges crossings by what each signed event recorded, not by the home configured today', () => {
    // Served at home (KR) when KR was home; the tenant moved its home to TH since: history stands.
    const answer = residency(tableOf([{ tenant: 'moi', jurisdiction: 'KR', homeJurisdiction: 'KR', crossBorder: false }, { tenant: 'moi', jurisdiction: 'KR', homeJurisdiction: 'TH', crossBorder: true }]), window, [
      { id: 'moi', home: 'TH', allowed: ['TH', 'KR'] },
    ]);
    expect(answer.tenants[0]).toMatchObject({ home: 'TH', crossBorder: 1, served: [{ jurisdiction: 'KR', requests: 2, crossBorder: true }] });
    expect(answer.flows).toEqual([
      { from: 'KR', to: 'KR', requests: 1, crossBorder: false },
      { from: 'TH', to: 'KR', requests: 1, crossBorder: true },
    ]);
  });

  it('sums flows over every matching tenant, not only the page', () => {
    const answer = residency(tableOf(shapes), { ...window, limit: 1 }, tenants);
    expect(answer.tenants.map((row) => row.tenant)).toEqual(['MOFA']);
    expect(answer.page).toEqual({ offset: 0, limit: 1, total: 5 });
    expect(answer.flows).toEqual([
      { from: 'KR', to: 'JP', requests: 3, crossBorder: true },
      { from: 'KR', to: 'KR', requests: 3, crossBorder: false },
      { from: '??', to: 'SG', requests: 1, crossBorder: true },
      { from: '??', to: 'TH', requests: 1, crossBorder: false },
      { from: 'VN', to: 'SG', requests: 1, crossBorder: true },
    ]);
    expect(answer.totals.requests).toBe(10);
  });

  it('pages with offset and limit, capped at 500', () => {
    const many = Array.from({ length: 1200 }, (_, n) => ({ id: `tenant-${String(n).padStart(4, '0')}`, home: 'KR', allowed: ['KR'] }));
    const table = tableOf([{ tenant: 'tenant-0700' }, { tenant: 'tenant-0700' }, { tenant: 'tenant-0003' }]);
    const first = residency(table, window, many);
    expect(first.page).toEqual({ offset: 0, limit: 50, total: 1200 });
    expect(first.tenants.slice(0, 3).map((row) => row.tenant)).toEqual(['tenant-0700', 'tenant-0003', 'tenant-0000']);
    const later = residency(table, { ...window, offset: 1100, limit: 1000 }, many);
    expect(later.page).toEqual({ offset: 1100, limit: 500, total: 1200 });
    expect(later.tenants).toHaveLength(100);
    expect(later.tenants.at(-1)?.tenant).toBe('tenant-1199');
    expect(residency(table, { ...window, offset: 5000 }, many).tenants).toEqual([]);
  });

  it('filters tenant ids by a substring in any case, or one tenant exactly', () => {
    const table = tableOf(shapes);
    expect(residency(table, { ...window, q: 'mo' }, tenants).tenants.map((row) => row.tenant)).toEqual(['MOFA', 'moi']);
    const one = residency(table, { ...window, tenant: 'moi' }, tenants);
    expect(one.tenants.map((row) => row.tenant)).toEqual(['moi']);
    expect(one.flows).toEqual([{ from: 'KR', to: 'KR', requests: 2, crossBorder: false }]);
    expect(one.totals).toEqual({ requests: 3, crossBorder: 0, denials: 1 });
    expect(residency(table, { ...window, tenant: 'nobody' }, tenants).page.total).toBe(0);
  });

  it('counts only the window', () => {
    const table = tableOf([{ at: t0 - 1, tenant: 'moi' }, { at: t0, tenant: 'moi' }, { at: t0 + minute, tenant: 'moi' }]);
    expect(residency(table, window, tenants).tenants.find((row) => row.tenant === 'moi')?.requests).toBe(1);
  });
});

describe('safety counts', () => {
  const stage = (record: StageRecord): StageRecord => record;

  it('reads stage notes, with or without a language, a parallel prefix or hazards', () => {
    expect(parseSafetyNote('action=block hazards=vcr,cse guard=12.0ms lang=ko')).toEqual({ action: 'block', hazards: ['vcr', 'cse'], language: 'ko' });
    expect(parseSafetyNote('parallel action=monitor hazards=hate guard=parallel')).toEqual({ action: 'monitor', hazards: ['hate'], language: 'und' });
    expect(parseSafetyNote('action=allow hazards=')).toEqual({ action: 'allow', hazards: [], language: 'und' });
    expect(parseSafetyNote(undefined)).toEqual({ action: undefined, hazards: [], language: 'und' });
    // A guard failure's reason is free text: nothing of it is kept.
    expect(parseSafetyNote('guard timed out after "hello there" hazards=<b>x</b>')).toEqual({ action: undefined, hazards: [], language: 'und' });
  });

  it('counts hazards by language, action and place, PII by entity language, blocks and redactions', () => {
    const table = tableOf([
      {
        status: 400,
        code: 'safety_blocked',
        stages: [stage({ stage: 'safety', ok: false, code: 'safety_blocked', note: 'action=block hazards=vcr,cse guard=12.0ms lang=ko' })],
        pii: { action: 'pseudonymise', entities: { KR_RRN: 2, EMAIL: 1 }, answerEntities: {} },
      },
      {
        stages: [
          stage({ stage: 'safety', ok: true, note: 'action=monitor hazards=vcr guard=3.1ms' }),
          stage({ stage: 'safety-answer', ok: true, note: 'action=redact hazards=pii_leak lang=th' }),
        ],
        pii: { action: 'detect', entities: { TH_ID: 1 }, answerEntities: { PHONE: 3, JP_MY_NUMBER: 1 } },
      },
      // A stream cut by the answer guard notes hazards but no action.
      { stages: [stage({ stage: 'safety-answer', ok: false, code: 'safety_blocked', note: 'hazards=vcr' })], status: 200, code: 'safety_blocked' },
      // The parallel guard's late verdict replaces the first, for the same hazard.
      {
        stages: [
          stage({ stage: 'safety', ok: true, note: 'action=allow hazards= guard=parallel' }),
          stage({ stage: 'safety', ok: false, code: 'safety_blocked', note: 'parallel action=block hazards=cse,cse lang=id' }),
        ],
        status: 400,
        code: 'safety_blocked',
      },
      { pii: { action: 'off', entities: {}, answerEntities: {} } },
      { pii: { action: 'redact', entities: { VN_CCCD: 1, SA_NID: 1, AE_EID: 1, SG_NRIC: 1, PH_PCN: 1, ID_NIK: 1, IBAN: 1, IP_ADDRESS: 1, CREDIT_CARD: 1 }, answerEntities: {} } },
    ]);
    const answer = safetyCounts(table, { from: t0, to: t0 + 1 });
    expect(answer).toMatchObject({ requests: 6, blocked: 3, redacted: 3 });
    expect(answer.hazards).toEqual([
      { hazard: 'cse', language: 'id', action: 'block', where: 'request', count: 1 },
      { hazard: 'cse', language: 'ko', action: 'block', where: 'request', count: 1 },
      { hazard: 'pii_leak', language: 'th', action: 'redact', where: 'answer', count: 1 },
      { hazard: 'vcr', language: 'und', action: 'block', where: 'answer', count: 1 },
      { hazard: 'vcr', language: 'ko', action: 'block', where: 'request', count: 1 },
      { hazard: 'vcr', language: 'und', action: 'monitor', where: 'request', count: 1 },
    ]);
    const pii = Object.fromEntries(answer.pii.map((row) => [`${row.where} ${row.entity}`, [row.language, row.count]]));
    expect(pii).toEqual({
      'request KR_RRN': ['ko', 2],
      'request EMAIL': ['und', 1],
      'request TH_ID': ['th', 1],
      'answer PHONE': ['und', 3],
      'answer JP_MY_NUMBER': ['ja', 1],
      'request VN_CCCD': ['vi', 1],
      'request SA_NID': ['ar', 1],
      'request AE_EID': ['ar', 1],
      'request SG_NRIC': ['en', 1],
      'request PH_PCN': ['tl', 1],
      'request ID_NIK': ['id', 1],
      'request IBAN': ['und', 1],
      'request IP_ADDRESS': ['und', 1],
      'request CREDIT_CARD': ['und', 1],
    });
    expect(answer.pii[0]).toEqual({ entity: 'PHONE', language: 'und', where: 'answer', count: 3 });
  });

  it('sums shared profiles across events and honours the tenant and the window', () => {
    const shape: Shape = { stages: [{ stage: 'safety', ok: true, note: 'action=monitor hazards=hate lang=ko' }], pii: { action: 'pseudonymise', entities: { KR_RRN: 1 }, answerEntities: {} } };
    const table = tableOf([{ ...shape }, { ...shape, tenant: 'other' }, { ...shape }, { ...shape, at: t0 + hour }]);
    const answer = safetyCounts(table, { from: t0, to: t0 + minute, tenant: 'moi' });
    expect(answer).toMatchObject({ requests: 2, blocked: 0, redacted: 2 });
    expect(answer.hazards).toEqual([{ hazard: 'hate', language: 'ko', action: 'monitor', where: 'request', count: 2 }]);
    expect(answer.pii).toEqual([{ entity: 'KR_RRN', language: 'ko', where: 'request', count: 2 }]);
    expect(safetyCounts(table, { from: t0, to: t0 + minute, tenant: 'nobody' }).requests).toBe(0);
  });

  it('counts an answer redacted by the answer policy', () => {
    const table = tableOf([
      { pii: { action: 'detect', entities: {}, answerEntities: { EMAIL: 1 } }, stages: [{ stage: 'pii-answer', ok: true, note: 'mode=detect answers=redact entities=EMAIL:1' }] },
      { pii: { action: 'detect', entities: {}, answerEntities: { EMAIL: 1 } }, stages: [{ stage: 'pii-answer', ok: true, note: 'mode=detect answers=detect entities=EMAIL:1' }] },
    ]);
    expect(safetyCounts(table, { from: t0, to: t0 + 1 }).redacted).toBe(1);
  });

  it('never carries a prompt, an answer or a request id text into any answer', () => {
    const table = tableOf([
      { requestId: 'r1', stages: [{ stage: 'safety', ok: false, code: 'guard_unavailable', note: secret }], pii: { action: 'redact', entities: { KR_RRN: 1, [secret]: 4 }, answerEntities: {} } },
    ]);
    const window = { from: t0, to: t0 + minute };
    for (const answer of [overview(table, window), residency(table, window, []), safetyCounts(table, window), listEvents(table, {})]) {
      expect(JSON.stringify(answer)).not.toContain('900101');
      expect(JSON.stringify(answer)).not.toContain('resident');
    }
  });
});

describe('event list', () => {
  const shapes: Shape[] = Array.from({ length: 12 }, (_, n) => ({
    at: t0 + n * 1000,
    tenant: n % 3 === 0 ? 'b' : 'a',
    status: n % 4 === 0 ? 500 : 200,
    code: n % 4 === 0 ? 'backend_error' : null,
    latencyMs: 12.5 + n,
  }));

  it('lists newest first with the summary fields', () => {
    const answer = listEvents(tableOf(shapes), { limit: 2 });
    expect(answer.total).toBe(12);
    expect(answer.nextBefore).toBe(10);
    expect(answer.data).toEqual([
      { index: 11, time: new Date(t0 + 11_000).toISOString(), requestId: 'req-11', tenant: 'a', model: 'exaone', backend: 'seoul-1', jurisdiction: 'KR', crossBorder: false, status: 200, code: null, latencyMs: 23.5 },
      expect.objectContaining({ index: 10, requestId: 'req-10' }),
    ]);
  });

  it('pages with before until the end', () => {
    const table = tableOf(shapes);
    const seen: number[] = [];
    let before: number | undefined;
    for (let page = 0; page < 10; page++) {
      const answer = listEvents(table, { limit: 5, before });
      seen.push(...answer.data.map((row) => row.index));
      expect(answer.total).toBe(12);
      if (answer.nextBefore === null) break;
      before = answer.nextBefore;
    }
    expect(seen).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(listEvents(table, { limit: 12 }).nextBefore).toBeNull();
  });

  it('combines filters; total ignores before', () => {
    const table = tableOf(shapes);
    const errors = listEvents(table, { tenant: 'b', outcome: 'error' });
    expect(errors.data.map((row) => row.index)).toEqual([0]);
    const failed = listEvents(table, { outcome: 'error', limit: 1 });
    expect(failed).toMatchObject({ total: 3, nextBefore: 8 });
    expect(listEvents(table, { outcome: 'error', before: 8 })).toMatchObject({ total: 3, nextBefore: null });
    expect(listEvents(table, { outcome: 'error', before: 8 }).data.map((row) => row.index)).toEqual([4, 0]);
    expect(listEvents(table, { tenant: 'a', outcome: 'ok' }).data.map((row) => row.index)).toEqual([11, 10, 7, 5, 2, 1]);
    expect(listEvents(table, { requestId: 'req-7' }).data.map((row) => row.index)).toEqual([7]);
    expect(listEvents(table, { requestId: 'req-' }).total).toBe(0);
    expect(listEvents(table, { tenant: 'nobody' })).toEqual({ data: [], nextBefore: null, total: 0 });
  });

  it('caps the limit at 500', () => {
    const table = tableOf(Array.from({ length: 600 }, (_, n) => ({ at: t0 + n })));
    expect(listEvents(table, { limit: 10_000 }).data).toHaveLength(500);
    expect(listEvents(table, {}).data).toHaveLength(50);
  });

  it('keeps request ids of any length or script', () => {
    const long = 'x'.repeat(300);
    const table = tableOf([{ requestId: '요청-1' }, { requestId: long }, { requestId: '' }, { requestId: 'plain' }]);
    expect(listEvents(table, {}).data.map((row) => row.requestId)).toEqual(['plain', '', long, '요청-1']);
    expect(listEvents(table, { requestId: '요청-1' }).data.map((row) => row.index)).toEqual([0]);
    expect(listEvents(table, { requestId: long }).data.map((row) => row.index)).toEqual([1]);
  });
});

describe('EventTable', () => {
  it('drops the oldest rows beyond maxEvents', () => {
    const table = new EventTable({ maxEvents: 3 });
    for (let index = 0; index < 5; index++) {
      table.add(index, event({ at: t0 + index, requestId: `req-${index}`, tenant: index < 2 ? 'early' : 'late' }), priced);
    }
    expect(table.size).toBe(3);
    expect(table.firstIndex).toBe(2);
    expect(listEvents(table, {}).data.map((row) => [row.index, row.requestId])).toEqual([
      [4, 'req-4'],
      [3, 'req-3'],
      [2, 'req-2'],
    ]);
    const answer = overview(table, { from: t0, to: t0 + minute });
    expect(answer.totals.requests).toBe(3);
    expect(answer.eventsIndexed).toBe(3);
    expect(answer.byTenant.map((group) => group.key)).toEqual(['late']);
  });

  it('keeps request ids right while the ring of ids wraps and grows', () => {
    const table = new EventTable({ maxEvents: 100 });
    for (let index = 0; index < 1000; index++) {
      const requestId = `${index}-${'y'.repeat(index % 97)}`;
      table.add(index, event({ at: t0 + index, requestId }), priced);
    }
    const rows = listEvents(table, { limit: 500 }).data;
    expect(rows).toHaveLength(100);
    for (const row of rows) expect(row.requestId).toBe(`${row.index}-${'y'.repeat(row.index % 97)}`);
    expect(listEvents(table, { requestId: `950-${'y'.repeat(950 % 97)}` }).data.map((row) => row.index)).toEqual([950]);
  });

  it('packs generated UUIDs and reads them back exactly, across eviction', () => {
    const ids = Array.from({ length: 50 }, (_, n) => `${n.toString(16).padStart(8, '0')}-ab12-4cde-8f90-0123456789${(255 - n).toString(16).padStart(2, '0')}`);
    const table = new EventTable({ maxEvents: 20 });
    ids.forEach((requestId, index) => table.add(index, event({ at: t0 + index, requestId }), priced));
    expect(listEvents(table, { limit: 500 }).data.map((row) => row.requestId)).toEqual(ids.slice(30).reverse());
    expect(listEvents(table, { requestId: ids[42] }).data.map((row) => row.index)).toEqual([42]);
    expect(listEvents(table, { requestId: ids[42]?.toUpperCase() }).total).toBe(0);
    expect(listEvents(table, { requestId: ids[3] }).total).toBe(0);
  });

  it('keeps leaf indices exact past 2^32', () => {
    const table = new EventTable({ maxEvents: 4 });
    const base = 2 ** 32 - 3;
    for (let n = 0; n < 8; n++) table.add(base + n * 2, event({ at: t0 + n }), priced);
    expect(table.firstIndex).toBe(base + 8);
    expect(listEvents(table, {}).data.map((row) => row.index)).toEqual([base + 14, base + 12, base + 10, base + 8]);
    expect(listEvents(table, { before: base + 12, limit: 1 })).toMatchObject({ nextBefore: base + 10, total: 4 });
  });

  it('accepts times out of order and still finds every window right', () => {
    const times = [t0 + 5 * minute, t0 + minute, t0 + 3 * minute, t0 + 2 * minute, t0 + 4 * minute];
    const table = tableOf(times.map((at) => ({ at })));
    expect(table.columns.sorted).toBe(false);
    const answer = overview(table, { from: t0, to: t0 + 6 * minute });
    expect(answer.series.map((bucket) => bucket.requests)).toEqual([0, 1, 1, 1, 1, 1]);
    expect(overview(table, { from: t0 + 2 * minute, to: t0 + 4 * minute }).totals.requests).toBe(2);
    expect(safetyCounts(table, { from: t0 + 5 * minute, to: t0 + 6 * minute }).requests).toBe(1);
  });

  it('searches again once the row out of order has been dropped', () => {
    const table = new EventTable({ maxEvents: 2 });
    table.add(0, event({ at: t0 + 10 }), priced);
    table.add(1, event({ at: t0 }), priced);
    expect(table.columns.sorted).toBe(false);
    table.add(2, event({ at: t0 + 20 }), priced);
    expect(table.columns.sorted).toBe(true);
    expect(overview(table, { from: t0, to: t0 + 21 }).totals.requests).toBe(2);
  });

  it('ignores a leaf it already holds and refuses a bad index', () => {
    const table = tableOf([{}, {}]);
    table.add(1, event(), priced);
    expect(table.size).toBe(2);
    expect(() => table.add(-1, event(), priced)).toThrow(RangeError);
    expect(() => new EventTable({ maxEvents: 0 })).toThrow(RangeError);
    expect(new EventTable().firstIndex).toBeUndefined();
  });

  it('answers over 100,000 events and 1,000 tenants', () => {
    // A sanity run at scale (figures only): speed is measured by the benchmarks, not here.
    const table = new EventTable();
    const count = 100_000;
    for (let index = 0; index < count; index++) {
      const tenant = `tenant-${index % 1000}`;
      table.add(index, event({ at: t0 + index * 500, requestId: `r-${index}`, tenant, jurisdiction: index % 7 === 0 ? 'JP' : 'KR', latencyMs: 20 + (index % 400), status: index % 50 === 0 ? 502 : 200 }), priced);
    }
    const window = { from: t0, to: t0 + count * 500 };
    const tenants = Array.from({ length: 1000 }, (_, n) => ({ id: `tenant-${n}`, home: 'KR', allowed: ['KR', 'JP'] }));
    const traffic = overview(table, window);
    expect(traffic.totals).toMatchObject({ requests: count, errors: count / 50 });
    expect(traffic.byTenant).toHaveLength(50);
    const places = residency(table, window, tenants);
    expect(places.page.total).toBe(1000);
    expect(places.totals.requests).toBe(count);
    expect(places.flows.find((flow) => flow.to === 'JP')?.requests).toBe(Math.ceil(count / 7));
    expect(listEvents(table, { requestId: 'r-99999' }).data[0]?.index).toBe(99_999);
  });
});

describe('safety profiles', () => {
  it('stay bounded when traffic varies entity counts without end', async () => {
    const { ProfileBook } = await import('../src/insights/safety-profile.js');
    const book = new ProfileBook(10);
    const ids = new Set<number>();
    for (let count = 1; count <= 1_000; count += 1) {
      ids.add(book.idFor(event({ pii: { action: 'pseudonymise', entities: { KR_RRN: count }, answerEntities: {} } })));
    }
    // Ten exact profiles, then one that says "found" without the count: not a thousand.
    expect(book.profiles.length).toBeLessThanOrEqual(12);
    expect(ids.size).toBeLessThanOrEqual(11);
  });
});

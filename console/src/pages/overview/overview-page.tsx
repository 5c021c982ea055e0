/**
 * Overview: requests, errors, tokens, cost and latency over a time window, as totals, charts over
 * time and tables by tenant, model and back end. A tenant admin sees their own tenant only (the API
 * filters; the tenant filter is not offered).
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { OverviewAnswer, TrafficFigures, TrafficGroup } from '../../../../src/spec/console-api.js';
import { useApi } from '../../api/use-api.js';
import { by, DataTable, type Column } from '../../components/data-table.js';
import { DataView, EmptyState } from '../../components/states.js';
import { TimeChart, type ChartSeries } from '../../components/time-chart.js';
import { useTimeWindow, WindowPicker } from '../../components/time-window.js';
import { localeOf, useFormat, useLang, useMessages, type Format, type Translate } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { overviewMessages } from './messages.js';

type Messages = (typeof overviewMessages)['en'];

interface Filters {
  readonly tenant: string;
  readonly model: string;
  readonly backend: string;
}

const noFilters: Filters = { tenant: '', model: '', backend: '' };

/** The key the server gives a group of requests that had no tenant, model, back end or error code. */
const noneKey = '(none)';

export const colors = { requests: '#1d4ed8', errors: '#b91c1c', p50: '#0f766e', p95: '#7c3aed', tokensIn: '#1d4ed8', tokensOut: '#b45309' };

export function costText(format: Format, cost: Readonly<Record<string, number>>, none: string): string {
  const entries = Object.entries(cost).filter(([, micros]) => micros !== 0);
  if (entries.length === 0) return none;
  return entries.map(([currency, micros]) => format.money(micros, currency)).join(' · ');
}

export default function OverviewPage() {
  const t = useMessages(overviewMessages);
  const { principal } = useSession();
  const range = useTimeWindow('24h');
  const [filters, setFilters] = useState<Filters>(noFilters);
  const state = useApi<OverviewAnswer>('/admin/v1/insights/overview', {
    from: range.from,
    to: range.to,
    bucket: range.bucket,
    tenant: filters.tenant,
    model: filters.model,
    backend: filters.backend,
  });
  // Filter suggestions: the groups of the last answer that had them.
  const [known, setKnown] = useState<{ tenants: string[]; models: string[]; backends: string[] }>({ tenants: [], models: [], backends: [] });
  const data = state.data;
  useEffect(() => {
    if (data === undefined) return;
    setKnown((previous) => ({
      tenants: merge(previous.tenants, data.byTenant),
      models: merge(previous.models, data.byModel),
      backends: merge(previous.backends, data.byBackend),
    }));
  }, [data]);

  return (
    <section data-testid="page-overview" className="page">
      <div className="page-head">
        <h1>{t('title')}</h1>
        <WindowPicker window={range} />
      </div>
      <p className="muted">{t('intro')}</p>
      <FilterForm t={t} value={filters} onApply={setFilters} showTenant={principal.role !== 'tenant_admin'} known={known} />
      <DataView state={state}>{(answer) => <OverviewBody t={t} answer={answer} />}</DataView>
    </section>
  );
}

function merge(known: readonly string[], groups: readonly TrafficGroup[]): string[] {
  const names = new Set(known);
  for (const group of groups) if (group.key !== noneKey) names.add(group.key);
  return [...names].sort();
}

function FilterForm({ t, value, onApply, showTenant, known }: { t: Translate<Messages>; value: Filters; onApply(filters: Filters): void; showTenant: boolean; known: { tenants: string[]; models: string[]; backends: string[] } }) {
  const [draft, setDraft] = useState(value);
  const id = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ tenant: draft.tenant.trim(), model: draft.model.trim(), backend: draft.backend.trim() });
  };
  const field = (name: keyof Filters, label: string, options: readonly string[]) => (
    <div className="field field-inline">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} list={`${id}-${name}-list`} value={draft[name]} placeholder={t('any')} onChange={(event) => setDraft({ ...draft, [name]: event.target.value })} autoComplete="off" />
      <datalist id={`${id}-${name}-list`}>
        {options.map((option) => (
          <option key={option} value={option} />
        ))}
      </datalist>
    </div>
  );
  const active = value.tenant !== '' || value.model !== '' || value.backend !== '';
  return (
    <form className="filters" onSubmit={submit} aria-label={t('filters')}>
      {showTenant ? field('tenant', t('tenant'), known.tenants) : null}
      {field('model', t('model'), known.models)}
      {field('backend', t('backend'), known.backends)}
      <button type="submit" className="button">
        {t('apply')}
      </button>
      {active ? (
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setDraft(noFilters);
            onApply(noFilters);
          }}
        >
          {t('clear')}
        </button>
      ) : null}
    </form>
  );
}

function OverviewBody({ t, answer }: { t: Translate<Messages>; answer: OverviewAnswer }) {
  const format = useFormat();
  const totals = answer.totals;
  return (
    <>
      <h2 className="visually-hidden">{t('totals')}</h2>
      <div className="cards">
        <div className="card" data-testid="overview-total-requests">
          <p className="card-label">{t('requests')}</p>
          <p className="card-value">{format.number(totals.requests)}</p>
        </div>
        <div className="card">
          <p className="card-label">{t('errors')}</p>
          <p className="card-value">{format.number(totals.errors)}</p>
          <p className="card-note">{t('errorRate', { rate: format.percent(totals.requests === 0 ? 0 : totals.errors / totals.requests) })}</p>
        </div>
        <div className="card">
          <p className="card-label">{t('tokensIn')}</p>
          <p className="card-value">{format.number(totals.tokensIn)}</p>
          <p className="card-note">
            {t('tokensOut')}: {format.number(totals.tokensOut)}
          </p>
        </div>
        <div className="card">
          <p className="card-label">{t('cost')}</p>
          <CostLines format={format} cost={totals.cost} none={t('noCost')} />
        </div>
        <div className="card">
          <p className="card-label">{t('latency')}</p>
          <p className="card-value">
            <span className="card-sub">{t('p50')}</span> {format.duration(totals.latencyP50Ms)}
          </p>
          <p className="card-note">
            {t('p95')}: {format.duration(totals.latencyP95Ms)}
          </p>
        </div>
      </div>

      {totals.requests === 0 ? (
        <EmptyState message={t('noTraffic')} />
      ) : (
        <>
          <Charts t={t} answer={answer} />
          <GroupTable t={t} caption={t('byTenant')} keyHeader={t('tenant')} groups={answer.byTenant} />
          <GroupTable t={t} caption={t('byModel')} keyHeader={t('model')} groups={answer.byModel} />
          <GroupTable t={t} caption={t('byBackend')} keyHeader={t('backend')} groups={answer.byBackend} />
          <ErrorCodes t={t} answer={answer} />
        </>
      )}
      <p className="muted small">{t('indexed', { count: format.number(answer.eventsIndexed) })}</p>
    </>
  );
}

function CostLines({ format, cost, none }: { format: Format; cost: Readonly<Record<string, number>>; none: string }) {
  const entries = Object.entries(cost).filter(([, micros]) => micros !== 0);
  if (entries.length === 0) return <p className="card-value card-value-quiet">{none}</p>;
  return (
    <>
      {entries.map(([currency, micros]) => (
        <p key={currency} className="card-value">
          {format.money(micros, currency)}
        </p>
      ))}
    </>
  );
}

function Charts({ t, answer }: { t: Translate<Messages>; answer: OverviewAnswer }) {
  const format = useFormat();
  const { lang } = useLang();
  const locale = localeOf(lang);

  const formatTime = useMemo(() => {
    const day = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric' });
    const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
    const full = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    return (seconds: number, style: 'day' | 'time' | 'full') => (style === 'day' ? day : style === 'time' ? time : full).format(new Date(seconds * 1000));
  }, [locale]);

  const chart = useMemo(() => {
    const times = answer.series.map((bucket) => Math.floor(Date.parse(bucket.t) / 1000));
    const count = (value: number) => format.number(value);
    const requests: ChartSeries[] = [
      { label: t('requests'), values: answer.series.map((b) => b.requests), color: colors.requests, format: count },
      { label: t('errors'), values: answer.series.map((b) => b.errors), color: colors.errors, dash: [6, 3], format: count },
    ];
    const latency: ChartSeries[] = [
      { label: t('p50'), values: answer.series.map((b) => b.latencyP50Ms), color: colors.p50, format: (v) => format.duration(v), points: true },
      { label: t('p95'), values: answer.series.map((b) => b.latencyP95Ms), color: colors.p95, dash: [6, 3], format: (v) => format.duration(v), points: true },
    ];
    const tokens: ChartSeries[] = [
      { label: t('tokensIn'), values: answer.series.map((b) => b.tokensIn), color: colors.tokensIn, format: count },
      { label: t('tokensOut'), values: answer.series.map((b) => b.tokensOut), color: colors.tokensOut, dash: [6, 3], format: count },
    ];
    let peak: (typeof answer.series)[number] | undefined;
    for (const bucket of answer.series) if (peak === undefined || bucket.requests > peak.requests) peak = bucket;
    const maxP95 = answer.series.reduce<number | null>((max, b) => (b.latencyP95Ms !== null && (max === null || b.latencyP95Ms > max) ? b.latencyP95Ms : max), null);
    const span = { from: format.dateTime(answer.from), to: format.dateTime(answer.to) };
    return {
      times,
      requests,
      latency,
      tokens,
      summaries: {
        requests: t('summaryRequests', { ...span, total: format.number(answer.totals.requests), peak: format.number(peak?.requests ?? 0), peakAt: format.dateTime(peak?.t), errors: format.number(answer.totals.errors) }),
        latency: t('summaryLatency', { ...span, p50: format.duration(answer.totals.latencyP50Ms), p95: format.duration(answer.totals.latencyP95Ms), max: format.duration(maxP95) }),
        tokens: t('summaryTokens', { ...span, tokensIn: format.number(answer.totals.tokensIn), tokensOut: format.number(answer.totals.tokensOut) }),
      },
    };
  }, [answer, format, t]);

  const axisCount = format.compact;
  const axisDuration = format.duration;
  return (
    <>
      <h2>{t('charts')}</h2>
      <div className="charts">
        <TimeChart testId="overview-chart" title={t('chartRequests')} summary={chart.summaries.requests} times={chart.times} series={chart.requests} formatTime={formatTime} formatAxis={axisCount} />
        <TimeChart title={t('chartLatency')} summary={chart.summaries.latency} times={chart.times} series={chart.latency} formatTime={formatTime} formatAxis={axisDuration} />
        <TimeChart title={t('chartTokens')} summary={chart.summaries.tokens} times={chart.times} series={chart.tokens} formatTime={formatTime} formatAxis={axisCount} />
      </div>
    </>
  );
}

function GroupTable({ t, caption, keyHeader, groups }: { t: Translate<Messages>; caption: string; keyHeader: string; groups: readonly TrafficGroup[] }) {
  const format = useFormat();
  const columns = useMemo<Column<TrafficGroup>[]>(
    () => [
      {
        id: 'key',
        header: keyHeader,
        // The server's "(none)" groups requests refused before a tenant, model or back end was known.
        cell: (g) =>
          g.key === noneKey ? (
            <span className="muted" title={t('noneKeyHint')}>
              {t('noneKey')}
            </span>
          ) : (
            <span className="nowrap">{g.key}</span>
          ),
        rowHeader: true,
        sort: by.text((g: TrafficGroup) => g.key),
      },
      { id: 'requests', header: t('requests'), numeric: true, cell: (g) => format.number(g.requests), sort: by.number((g: TrafficGroup) => g.requests) },
      { id: 'errors', header: t('errors'), numeric: true, cell: (g) => `${format.number(g.errors)} (${format.percent(rate(g))})`, sort: by.number((g: TrafficGroup) => g.errors) },
      { id: 'tokensIn', header: t('tokensIn'), numeric: true, cell: (g) => format.number(g.tokensIn), sort: by.number((g: TrafficGroup) => g.tokensIn) },
      { id: 'tokensOut', header: t('tokensOut'), numeric: true, cell: (g) => format.number(g.tokensOut), sort: by.number((g: TrafficGroup) => g.tokensOut) },
      { id: 'cost', header: t('cost'), numeric: true, cell: (g) => costText(format, g.cost, '—') },
      { id: 'p50', header: t('p50'), numeric: true, cell: (g) => format.duration(g.latencyP50Ms), sort: by.number((g: TrafficGroup) => g.latencyP50Ms) },
      { id: 'p95', header: t('p95'), numeric: true, cell: (g) => format.duration(g.latencyP95Ms), sort: by.number((g: TrafficGroup) => g.latencyP95Ms) },
    ],
    [t, format, keyHeader],
  );
  if (groups.length === 0) return null;
  return (
    <>
      <h2>{caption}</h2>
      <p className="muted small">{t('top')}</p>
      <DataTable caption={caption} captionHidden columns={columns} rows={groups} rowKey={(g) => g.key} />
    </>
  );
}

function rate(figures: TrafficFigures): number {
  return figures.requests === 0 ? 0 : figures.errors / figures.requests;
}

function ErrorCodes({ t, answer }: { t: Translate<Messages>; answer: OverviewAnswer }) {
  const format = useFormat();
  type Row = OverviewAnswer['errorCodes'][number];
  const total = answer.errorCodes.reduce((sum, row) => sum + row.count, 0);
  const columns: Column<Row>[] = [
    { id: 'code', header: t('code'), rowHeader: true, cell: (row) => (row.code === noneKey ? <span className="muted">{t('noCode')}</span> : <code>{row.code}</code>), sort: by.text((row: Row) => row.code) },
    { id: 'count', header: t('count'), numeric: true, cell: (row) => format.number(row.count), sort: by.number((row: Row) => row.count) },
    { id: 'share', header: t('share'), numeric: true, cell: (row) => format.percent(total === 0 ? 0 : row.count / total) },
  ];
  return (
    <>
      <h2>{t('errorCodes')}</h2>
      {answer.errorCodes.length === 0 ? <p className="muted">{t('noErrors')}</p> : <DataTable caption={t('errorCodes')} captionHidden columns={columns} rows={answer.errorCodes} rowKey={(row) => row.code} />}
    </>
  );
}

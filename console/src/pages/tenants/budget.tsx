/**
 * This month's spending against the tenant's budget: cumulative cost by day (drawn in SVG) against
 * `costPerMonth`, today's against `costPerDay`, and the days in a table. Usage days are UTC days, as
 * Nara's budgets count them.
 */
import { useMemo } from 'react';
import type { TenantView, UsageRowView } from '../../api/admin-types.js';
import { useApi } from '../../api/use-api.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { DataView, EmptyState } from '../../components/states.js';
import { useFormat, useMessages, type Format, type Translate } from '../../i18n/index.js';
import { tenantMessages } from './messages.js';

type Messages = (typeof tenantMessages)['en'];

interface UsageAnswer {
  readonly data: readonly UsageRowView[];
}

interface Day {
  readonly day: string;
  readonly requests: number;
  readonly tokens: number;
  readonly costMicros: number;
  readonly cumulativeMicros: number;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function BudgetPanel({ tenant }: { tenant: TenantView }) {
  const t = useMessages(tenantMessages);
  const now = useMemo(() => new Date(), []);
  const today = utcDay(now);
  const from = `${today.slice(0, 7)}-01`;
  const state = useApi<UsageAnswer>('/admin/v1/usage', { tenant: tenant.id, from, to: today, groupBy: 'day' });
  return (
    <section className="panel" aria-labelledby="budget-heading">
      <h2 id="budget-heading">{t('budget')}</h2>
      <DataView state={state}>{(answer) => <Budget t={t} tenant={tenant} rows={answer.data} now={now} />}</DataView>
    </section>
  );
}

function Budget({ t, tenant, rows, now }: { t: Translate<Messages>; tenant: TenantView; rows: readonly UsageRowView[]; now: Date }) {
  const format = useFormat();
  const today = utcDay(now);
  // The budget's currency; without one, the currency most of the cost is in.
  const byCurrency = new Map<string, number>();
  for (const row of rows) byCurrency.set(row.currency, (byCurrency.get(row.currency) ?? 0) + row.costMicros);
  const currency = tenant.budgetCurrency ?? [...byCurrency].sort((a, b) => b[1] - a[1])[0]?.[0];
  const others = [...byCurrency].filter(([code, micros]) => code !== currency && micros !== 0);

  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const todayNumber = now.getUTCDate();
  const days: Day[] = [];
  let cumulative = 0;
  for (let day = 1; day <= todayNumber; day += 1) {
    const key = `${today.slice(0, 8)}${String(day).padStart(2, '0')}`;
    const ofDay = rows.filter((row) => row.day === key);
    const costMicros = ofDay.filter((row) => row.currency === currency).reduce((sum, row) => sum + row.costMicros, 0);
    cumulative += costMicros;
    days.push({
      day: key,
      requests: ofDay.reduce((sum, row) => sum + row.requests, 0),
      tokens: ofDay.reduce((sum, row) => sum + row.promptTokens + row.completionTokens, 0),
      costMicros,
      cumulativeMicros: cumulative,
    });
  }

  if (rows.length === 0 || currency === undefined) return <EmptyState message={t('noUsage')} />;

  const spent = cumulative / 1_000_000;
  const monthly = tenant.limits.costPerMonth;
  const daily = tenant.limits.costPerDay;
  const spentToday = (days[days.length - 1]?.costMicros ?? 0) / 1_000_000;
  const projected = todayNumber === 0 ? spent : (spent / todayNumber) * daysInMonth;
  const money = (units: number) => format.moneyUnits(units, currency);

  return (
    <>
      <div className="columns">
        <div>
          <p className="card-label">{t('costPerMonth')}</p>
          {monthly === undefined ? (
            <p>{t('spentNoLimit', { spent: money(spent) })}</p>
          ) : (
            <>
              <p className="card-value">{t('spentOfLimit', { spent: money(spent), limit: money(monthly), share: format.percent(spent / monthly) })}</p>
              <Meter value={spent} max={monthly} />
              {spent > monthly ? <p className="field-error">{t('overBudget')}</p> : null}
            </>
          )}
          <p className="muted small">{t('projected', { amount: money(projected) })}</p>
        </div>
        <div>
          <p className="card-label">{t('costPerDay')}</p>
          {daily === undefined ? (
            <p>{t('todayNoLimit', { spent: money(spentToday) })}</p>
          ) : (
            <>
              <p className="card-value">{t('today', { spent: money(spentToday), limit: money(daily), share: format.percent(spentToday / daily) })}</p>
              <Meter value={spentToday} max={daily} />
              {spentToday > daily ? <p className="field-error">{t('overDaily')}</p> : null}
            </>
          )}
        </div>
      </div>
      {others.length === 0 ? null : <p className="muted small">{t('otherCurrencies', { list: others.map(([code, micros]) => format.money(micros, code)).join(', ') })}</p>}
      <BurnChart t={t} format={format} days={days} daysInMonth={daysInMonth} limit={monthly} currency={currency} projected={projected} />
      <details>
        <summary>{t('dailyTable')}</summary>
        <DailyTable t={t} format={format} days={days} currency={currency} />
      </details>
    </>
  );
}

function Meter({ value, max }: { value: number; max: number }) {
  const share = max <= 0 ? 1 : Math.min(value / max, 1);
  const level = value > max ? 'bar-fill bar-fill-danger' : share > 0.8 ? 'bar-fill bar-fill-warning' : 'bar-fill';
  // The figures are written out just above; the bar repeats them for the eye only.
  return (
    <div className="meter" aria-hidden="true">
      <div className={level} style={{ inlineSize: `${share * 100}%` }} />
    </div>
  );
}

const chart = { width: 640, height: 220, left: 80, right: 16, top: 12, bottom: 28 };

function BurnChart({ t, format, days, daysInMonth, limit, currency, projected }: { t: Translate<Messages>; format: Format; days: readonly Day[]; daysInMonth: number; limit: number | undefined; currency: string; projected: number }) {
  const spent = (days[days.length - 1]?.cumulativeMicros ?? 0) / 1_000_000;
  const top = Math.max(limit ?? 0, spent, Math.min(projected, (limit ?? projected) * 1.5)) * 1.1 || 1;
  const plotWidth = chart.width - chart.left - chart.right;
  const plotHeight = chart.height - chart.top - chart.bottom;
  const x = (day: number) => chart.left + ((day - 0) / daysInMonth) * plotWidth;
  const y = (units: number) => chart.top + plotHeight - (Math.min(units, top) / top) * plotHeight;
  const points = [`${x(0)},${y(0)}`, ...days.map((day, index) => `${x(index + 1)},${y(day.cumulativeMicros / 1_000_000)}`)];
  const lastX = x(days.length);
  const ticks = [0, top / 2, top].map((value) => ({ value, y: y(value) }));
  const dayTicks = [1, 8, 15, 22, daysInMonth].filter((day, index, all) => all.indexOf(day) === index);
  const money = (units: number) => format.moneyUnits(units, currency);
  const summary = t('burnSummary', { spent: money(spent), day: format.day(days[days.length - 1]?.day), limit: limit === undefined ? t('noLimit') : money(limit) });

  return (
    <figure className="chart" style={{ marginBlock: '1rem' }}>
      <figcaption className="chart-title">{t('burnTitle')}</figcaption>
      <svg viewBox={`0 0 ${chart.width} ${chart.height}`} role="img" aria-label={summary} style={{ inlineSize: '100%', blockSize: 'auto', display: 'block', direction: 'ltr' }}>
        <title>{summary}</title>
        {ticks.map((tick) => (
          <g key={tick.value}>
            <line x1={chart.left} x2={chart.width - chart.right} y1={tick.y} y2={tick.y} stroke="#e3e6ec" />
            <text x={chart.left - 6} y={tick.y} textAnchor="end" dominantBaseline="middle" fontSize={11} fill="#3b4252">
              {money(tick.value)}
            </text>
          </g>
        ))}
        {dayTicks.map((day) => (
          <text key={day} x={x(day)} y={chart.height - 8} textAnchor="middle" fontSize={11} fill="#3b4252">
            {format.number(day)}
          </text>
        ))}
        {limit === undefined ? null : (
          <g>
            <line x1={chart.left} x2={chart.width - chart.right} y1={y(limit)} y2={y(limit)} stroke="#b91c1c" strokeWidth={1.5} strokeDasharray="6 4" />
            <text x={chart.width - chart.right} y={y(limit) - 5} textAnchor="end" fontSize={11} fill="#b91c1c">
              {t('limitLine')}
            </text>
          </g>
        )}
        <line x1={lastX} y1={y(spent)} x2={x(daysInMonth)} y2={y(projected)} stroke="#4b5563" strokeWidth={1.2} strokeDasharray="3 3" />
        <polyline points={points.join(' ')} fill="none" stroke="#1d4ed8" strokeWidth={2.2} strokeLinejoin="round" />
        <circle cx={lastX} cy={y(spent)} r={3.5} fill="#1d4ed8" />
      </svg>
    </figure>
  );
}

function DailyTable({ t, format, days, currency }: { t: Translate<Messages>; format: Format; days: readonly Day[]; currency: string }) {
  const columns: Column<Day>[] = [
    { id: 'day', header: t('day'), rowHeader: true, cell: (day) => format.day(day.day) },
    { id: 'requests', header: t('requests'), numeric: true, cell: (day) => format.number(day.requests) },
    { id: 'tokens', header: t('tokens'), numeric: true, cell: (day) => format.number(day.tokens) },
    { id: 'cost', header: t('cost'), numeric: true, cell: (day) => format.money(day.costMicros, currency) },
    { id: 'cumulative', header: t('cumulative'), numeric: true, cell: (day) => format.money(day.cumulativeMicros, currency) },
  ];
  return <DataTable caption={t('dailyTable')} captionHidden columns={columns} rows={[...days].reverse()} rowKey={(day) => day.day} />;
}

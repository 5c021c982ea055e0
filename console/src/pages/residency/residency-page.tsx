/**
 * Residency: for each tenant, its home and allowed jurisdictions against where its requests were
 * actually served, and the flows from home to serving jurisdiction drawn and tabled.
 */
import { useMemo } from 'react';
import type { ResidencyAnswer, ResidencyTenant } from '../../../../src/spec/console-api.js';
import { useApi } from '../../api/use-api.js';
import { by, DataTable, type Column } from '../../components/data-table.js';
import { Jurisdiction } from '../../components/jurisdiction.js';
import { Paginator } from '../../components/paginator.js';
import { SearchField, useSearchPaging } from '../../components/search-field.js';
import { DataView, EmptyState } from '../../components/states.js';
import { useTimeWindow, WindowPicker } from '../../components/time-window.js';
import { useFormat, useMessages, type Format, type Translate } from '../../i18n/index.js';
import { FlowDiagram } from './flow-diagram.js';
import { isUnknownHome } from './home.js';
import { residencyMessages } from './messages.js';

type Messages = (typeof residencyMessages)['en'];
type Flow = ResidencyAnswer['flows'][number];

const pageSize = 50;

export default function ResidencyPage() {
  const t = useMessages(residencyMessages);
  const range = useTimeWindow('24h');
  const { query, setQuery, q, offset, setOffset } = useSearchPaging();
  const state = useApi<ResidencyAnswer>('/admin/v1/insights/residency', { from: range.from, to: range.to, q, offset, limit: pageSize });

  return (
    <section data-testid="page-residency" className="page">
      <div className="page-head">
        <h1>{t('title')}</h1>
        <WindowPicker window={range} />
      </div>
      <p className="muted">{t('intro')}</p>
      <SearchField label={t('search')} placeholder={t('searchPlaceholder')} testId="residency-search" value={query} onChange={setQuery} />
      <DataView state={state}>{(answer) => <ResidencyBody t={t} answer={answer} searching={q !== ''} onPage={setOffset} />}</DataView>
    </section>
  );
}

function ResidencyBody({ t, answer, searching, onPage }: { t: Translate<Messages>; answer: ResidencyAnswer; searching: boolean; onPage(offset: number): void }) {
  const format = useFormat();
  const { totals } = answer;
  return (
    <>
      <div className="cards">
        <div className="card">
          <p className="card-label">{t('requests')}</p>
          <p className="card-value">{format.number(totals.requests)}</p>
        </div>
        <div className={totals.crossBorder > 0 ? 'card card-warning' : 'card'}>
          <p className="card-label">{t('crossBorder')}</p>
          <p className="card-value">{format.number(totals.crossBorder)}</p>
          <p className="card-note">{t('crossBorderNote', { share: format.percent(totals.requests === 0 ? 0 : totals.crossBorder / totals.requests) })}</p>
        </div>
        <div className={totals.denials > 0 ? 'card card-danger' : 'card'}>
          <p className="card-label">{t('denials')}</p>
          <p className="card-value">{format.number(totals.denials)}</p>
          <p className="card-note">{t('denialsNote')}</p>
        </div>
      </div>

      <h2>{t('tenantsTable')}</h2>
      {answer.tenants.length === 0 ? (
        <EmptyState message={searching ? t('noMatch') : t('noTraffic')} />
      ) : (
        <>
          <TenantTable t={t} format={format} tenants={answer.tenants} />
          <Paginator offset={answer.page.offset} limit={answer.page.limit} total={answer.page.total} onChange={onPage} />
        </>
      )}

      <h2>{t('flowsTable')}</h2>
      {answer.flows.length === 0 ? (
        <EmptyState message={t('noFlows')} />
      ) : (
        <>
          <FlowDiagram flows={answer.flows} requests={totals.requests} crossBorder={totals.crossBorder} />
          <FlowTable t={t} format={format} flows={answer.flows} />
        </>
      )}
    </>
  );
}

function ServedBars({ t, format, tenant }: { t: Translate<Messages>; format: Format; tenant: ResidencyTenant }) {
  if (tenant.served.length === 0) return <span className="muted">—</span>;
  const most = Math.max(...tenant.served.map((entry) => entry.requests), 1);
  return (
    <ul className="bar-list">
      {[...tenant.served]
        .sort((a, b) => b.requests - a.requests)
        .map((entry) => (
          <li key={entry.jurisdiction} className="bar-row">
            <span>
              <Jurisdiction code={entry.jurisdiction} short />
              {entry.crossBorder ? (
                <span className="tag tag-warning" style={{ marginInlineStart: '0.35rem' }}>
                  {t('crossBorder')}
                </span>
              ) : null}
            </span>
            <span className="bar-track" aria-hidden="true">
              <span className={entry.crossBorder ? 'bar-fill bar-fill-warning' : 'bar-fill'} style={{ display: 'block', inlineSize: `${(entry.requests / most) * 100}%` }} />
            </span>
            <span className="numeric">{t('servedCount', { count: format.number(entry.requests) })}</span>
          </li>
        ))}
    </ul>
  );
}

function TenantTable({ t, format, tenants }: { t: Translate<Messages>; format: Format; tenants: readonly ResidencyTenant[] }) {
  const columns = useMemo<Column<ResidencyTenant>[]>(
    () => [
      { id: 'tenant', header: t('tenant'), rowHeader: true, cell: (row) => <span className="nowrap">{row.tenant}</span> },
      { id: 'home', header: t('home'), cell: (row) => (isUnknownHome(row.home) ? <span className="muted">{t('noHome')}</span> : <Jurisdiction code={row.home} />) },
      {
        id: 'allowed',
        header: t('allowed'),
        cell: (row) => (
          <span className="tags">
            {row.allowed.map((code) => (
              <span key={code} className="tag">
                <Jurisdiction code={code} short />
              </span>
            ))}
          </span>
        ),
      },
      { id: 'served', header: t('served'), cell: (row) => <ServedBars t={t} format={format} tenant={row} /> },
      { id: 'requests', header: t('requests'), numeric: true, cell: (row) => format.number(row.requests) },
      {
        id: 'crossBorder',
        header: t('crossBorder'),
        numeric: true,
        cell: (row) => (row.crossBorder > 0 ? <strong style={{ color: 'var(--warning)' }}>{format.number(row.crossBorder)}</strong> : format.number(0)),
      },
      { id: 'denials', header: t('denials'), numeric: true, cell: (row) => (row.denials > 0 ? <strong style={{ color: 'var(--danger)' }}>{format.number(row.denials)}</strong> : format.number(0)) },
    ],
    [t, format],
  );
  return (
    <DataTable
      caption={t('tenantsTable')}
      captionHidden
      columns={columns}
      rows={tenants}
      rowKey={(row) => row.tenant}
      rowProps={(row) => ({ 'data-testid': `residency-row-${row.tenant}` })}
      pageSize={0}
    />
  );
}

function FlowTable({ t, format, flows }: { t: Translate<Messages>; format: Format; flows: readonly Flow[] }) {
  const columns = useMemo<Column<Flow>[]>(
    () => [
      { id: 'from', header: t('from'), cell: (row) => (isUnknownHome(row.from) ? <span className="muted">{t('noHome')}</span> : <Jurisdiction code={row.from} />), sort: by.text((row: Flow) => row.from) },
      { id: 'to', header: t('to'), cell: (row) => <Jurisdiction code={row.to} />, sort: by.text((row: Flow) => row.to) },
      { id: 'requests', header: t('requests'), numeric: true, cell: (row) => format.number(row.requests), sort: by.number((row: Flow) => row.requests) },
      {
        id: 'cross',
        header: t('crossBorder'),
        cell: (row) =>
          isUnknownHome(row.from) ? (
            <span className="muted">{t('crossUnknown')}</span>
          ) : row.crossBorder ? (
            <span className="tag tag-warning">{t('yes')}</span>
          ) : (
            <span className="muted">{t('no')}</span>
          ),
        sort: by.number((row: Flow) => (isUnknownHome(row.from) ? 0.5 : row.crossBorder ? 1 : 0)),
      },
    ],
    [t, format],
  );
  return (
    <DataTable
      caption={t('flowsTable')}
      captionHidden
      columns={columns}
      rows={flows}
      rowKey={(row) => `${row.from}>${row.to}`}
      rowProps={(row) => (row.crossBorder && !isUnknownHome(row.from) ? { className: 'row-warning' } : {})}
      initialSort={{ column: 'requests', descending: true }}
    />
  );
}

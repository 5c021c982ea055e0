/** Back ends: health, circuit, load, the last hour and prices; refreshed every 10 s while visible. */
import { useEffect, useMemo, useState } from 'react';
import type { BackendView } from '../../../../src/spec/console-api.js';
import { useApi } from '../../api/use-api.js';
import { by, DataTable, type Column } from '../../components/data-table.js';
import { useVisibleInterval } from '../../components/hooks.js';
import { Jurisdiction } from '../../components/jurisdiction.js';
import { DataView } from '../../components/states.js';
import { useFormat, useMessages, type Format, type Translate } from '../../i18n/index.js';
import { backendMessages } from './messages.js';

type Messages = (typeof backendMessages)['en'];

const refreshMs = 10_000;

export default function BackendsPage() {
  const t = useMessages(backendMessages);
  const format = useFormat();
  const state = useApi<{ data: readonly BackendView[] }>('/admin/v1/backends');
  const [auto, setAuto] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<string>();
  useVisibleInterval(state.reload, refreshMs, auto);
  useEffect(() => {
    if (state.data !== undefined) setUpdatedAt(new Date().toISOString());
  }, [state.data]);

  return (
    <section data-testid="page-backends" className="page">
      <div className="page-head">
        <h1>{t('title')}</h1>
        <div className="actions">
          <button type="button" className="button" aria-pressed={!auto} onClick={() => setAuto(!auto)}>
            {auto ? t('pause') : t('resume')}
          </button>
        </div>
      </div>
      <p className="muted">{t('intro')}</p>
      <p className="muted small">
        {auto ? t('auto') : t('paused')}
        {updatedAt === undefined ? null : ` ${t('updated', { time: format.time(updatedAt) })}`}
      </p>
      <DataView state={state} isEmpty={(answer) => answer.data.length === 0} empty={t('noBackends')}>
        {(answer) => <BackendTable t={t} format={format} backends={answer.data} />}
      </DataView>
    </section>
  );
}

function BackendTable({ t, format, backends }: { t: Translate<Messages>; format: Format; backends: readonly BackendView[] }) {
  const columns = useMemo(() => backendColumns(t, format), [t, format]);
  const healthy = backends.filter((backend) => backend.healthy).length;
  const open = backends.filter((backend) => backend.circuit !== 'closed').length;
  return (
    <>
      <div className="cards">
        <div className="card">
          <p className="card-label">{t('total')}</p>
          <p className="card-value">{format.number(backends.length)}</p>
        </div>
        <div className={healthy < backends.length ? 'card card-danger' : 'card'}>
          <p className="card-label">{t('healthyCount')}</p>
          <p className="card-value">{format.number(healthy)}</p>
        </div>
        <div className={open > 0 ? 'card card-warning' : 'card'}>
          <p className="card-label">{t('openCount')}</p>
          <p className="card-value">{format.number(open)}</p>
        </div>
      </div>
      <DataTable caption={t('title')} captionHidden className="backends-table" columns={columns} rows={backends} rowKey={(b) => b.id} rowProps={(b) => ({ 'data-testid': `backend-row-${b.id}` })} />
    </>
  );
}

/**
 * The engine kinds as the server names them (src/server/console/insight-routes.ts), in the reader's
 * language; an engine named otherwise is shown as sent.
 */
function engineName(t: Translate<Messages>, engine: string): string {
  if (engine === 'OpenAI-compatible HTTP') return t('engine_http');
  if (engine === 'llama.cpp (embedded)') return t('engine_embedded');
  return engine;
}

/**
 * Nine columns that fit a laptop screen beside the navigation (names an operator wrote are isolated
 * with <bdi>, so that "seoul-1" keeps its order in Arabic): what belongs together shares a cell
 * (health and circuit; jurisdiction, region and operator; the two prices) and models wrap.
 */
function backendColumns(t: Translate<Messages>, format: Format): Column<BackendView>[] {
  return [
    {
      id: 'id',
      header: t('backend'),
      rowHeader: true,
      cell: (b) => (
        <>
          <code>{b.id}</code>
          <div className="small muted">{engineName(t, b.engine)}</div>
          {b.accelerator === null ? null : (
            <div className="small muted">
              {t('accelerator')}: <bdi>{b.accelerator}</bdi>
            </div>
          )}
        </>
      ),
      sort: by.text((b: BackendView) => b.id),
    },
    {
      id: 'health',
      header: t('health'),
      cell: (b) => (
        <div className="stack">
          {b.healthy ? (
            <span className="tag tag-ok">
              <span aria-hidden="true">● </span>
              {t('healthy')}
            </span>
          ) : (
            <span className="tag tag-danger">
              <span aria-hidden="true">▲ </span>
              {t('unhealthy')}
            </span>
          )}
          {b.healthy || b.healthReason === null ? null : <span className="small muted">{b.healthReason}</span>}
          <span className={b.circuit === 'closed' ? 'tag' : b.circuit === 'open' ? 'tag tag-danger' : 'tag tag-warning'}>
            {t('circuit')}: {t(`circuit_${b.circuit}`)}
          </span>
        </div>
      ),
      sort: by.number((b: BackendView) => (b.healthy ? 2 : 0) + (b.circuit === 'closed' ? 1 : 0)),
    },
    { id: 'inFlight', header: t('inFlight'), numeric: true, cell: (b) => `${format.number(b.inFlight)} / ${format.number(b.maxConcurrency)}`, sort: by.number((b: BackendView) => b.inFlight / Math.max(b.maxConcurrency, 1)) },
    { id: 'requests', header: t('requestsHour'), numeric: true, cell: (b) => format.number(b.lastHour.requests), sort: by.number((b: BackendView) => b.lastHour.requests) },
    {
      id: 'errors',
      header: t('errorsHour'),
      numeric: true,
      cell: (b) => (b.lastHour.errors > 0 ? <strong style={{ color: 'var(--danger)' }}>{format.number(b.lastHour.errors)}</strong> : format.number(0)),
      sort: by.number((b: BackendView) => b.lastHour.errors),
    },
    {
      id: 'latency',
      header: t('latencyHour'),
      numeric: true,
      cell: (b) => `${format.duration(b.lastHour.latencyP50Ms)} / ${format.duration(b.lastHour.latencyP95Ms)}`,
      sort: by.number((b: BackendView) => b.lastHour.latencyP95Ms),
    },
    {
      id: 'where',
      header: t('where'),
      cell: (b) => (
        <>
          <Jurisdiction code={b.jurisdiction} />
          {b.region === null ? null : (
            <div className="small muted">
              {t('region')}: <bdi className="nowrap">{b.region}</bdi>
            </div>
          )}
          {b.operator === null ? null : (
            <div className="small muted">
              {t('operator')}: <bdi>{b.operator}</bdi>
            </div>
          )}
        </>
      ),
      sort: by.text((b: BackendView) => b.jurisdiction),
    },
    {
      id: 'price',
      header: t('pricePer1M'),
      numeric: true,
      cell: (b) => (
        <>
          <div>{t('priceIn', { price: format.moneyUnits(b.price.inputPer1M, b.price.currency) })}</div>
          <div>{t('priceOut', { price: format.moneyUnits(b.price.outputPer1M, b.price.currency) })}</div>
        </>
      ),
      sort: by.number((b: BackendView) => b.price.inputPer1M + b.price.outputPer1M),
    },
    {
      id: 'models',
      header: t('models'),
      cell: (b) => (
        <ul className="tags model-list">
          {b.models.map((model) => (
            <li key={model}>
              <code>{model}</code>
            </li>
          ))}
        </ul>
      ),
    },
  ];
}

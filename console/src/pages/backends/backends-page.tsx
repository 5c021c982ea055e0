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
      <DataTable caption={t('title')} captionHidden columns={columns} rows={backends} rowKey={(b) => b.id} rowProps={(b) => ({ 'data-testid': `backend-row-${b.id}` })} />
    </>
  );
}

function backendColumns(t: Translate<Messages>, format: Format): Column<BackendView>[] {
  const price = (backend: BackendView) => `${format.moneyUnits(backend.price.inputPer1M, backend.price.currency)} / ${format.moneyUnits(backend.price.outputPer1M, backend.price.currency)}`;
  return [
    {
      id: 'id',
      header: t('backend'),
      rowHeader: true,
      cell: (b) => (
        <>
          <code>{b.id}</code>
          <div className="small muted">{b.engine}</div>
        </>
      ),
      sort: by.text((b: BackendView) => b.id),
    },
    {
      id: 'health',
      header: t('health'),
      cell: (b) =>
        b.healthy ? (
          <span className="tag tag-ok">
            <span aria-hidden="true">● </span>
            {t('healthy')}
          </span>
        ) : (
          <>
            <span className="tag tag-danger">
              <span aria-hidden="true">▲ </span>
              {t('unhealthy')}
            </span>
            {b.healthReason === null ? null : <div className="small muted">{b.healthReason}</div>}
          </>
        ),
      sort: by.number((b: BackendView) => (b.healthy ? 1 : 0)),
    },
    {
      id: 'circuit',
      header: t('circuit'),
      cell: (b) => <span className={b.circuit === 'closed' ? 'tag' : b.circuit === 'open' ? 'tag tag-danger' : 'tag tag-warning'}>{t(`circuit_${b.circuit}`)}</span>,
      sort: by.text((b: BackendView) => b.circuit),
    },
    { id: 'inFlight', header: t('inFlight'), numeric: true, cell: (b) => `${format.number(b.inFlight)} / ${format.number(b.maxConcurrency)}`, sort: by.number((b: BackendView) => b.inFlight / Math.max(b.maxConcurrency, 1)) },
    { id: 'requests', header: `${t('lastHour')}: ${t('requests')}`, numeric: true, cell: (b) => format.number(b.lastHour.requests), sort: by.number((b: BackendView) => b.lastHour.requests) },
    {
      id: 'errors',
      header: t('errors'),
      numeric: true,
      cell: (b) => (b.lastHour.errors > 0 ? <strong style={{ color: 'var(--danger)' }}>{format.number(b.lastHour.errors)}</strong> : format.number(0)),
      sort: by.number((b: BackendView) => b.lastHour.errors),
    },
    { id: 'p50', header: t('p50'), numeric: true, cell: (b) => format.duration(b.lastHour.latencyP50Ms), sort: by.number((b: BackendView) => b.lastHour.latencyP50Ms) },
    { id: 'p95', header: t('p95'), numeric: true, cell: (b) => format.duration(b.lastHour.latencyP95Ms), sort: by.number((b: BackendView) => b.lastHour.latencyP95Ms) },
    {
      id: 'jurisdiction',
      header: `${t('jurisdiction')} · ${t('region')}`,
      cell: (b) => (
        <>
          <Jurisdiction code={b.jurisdiction} />
          {b.region === null ? null : <div className="small muted">{b.region}</div>}
        </>
      ),
      sort: by.text((b: BackendView) => b.jurisdiction),
    },
    { id: 'operator', header: t('operator'), cell: (b) => b.operator ?? '—' },
    { id: 'accelerator', header: t('accelerator'), cell: (b) => b.accelerator ?? '—' },
    { id: 'price', header: t('price'), numeric: true, cell: price },
    { id: 'models', header: t('models'), cell: (b) => <span className="small">{b.models.join(', ')}</span> },
  ];
}

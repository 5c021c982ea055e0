/**
 * The audit log, for operators, auditors and tenant admins: every request's event, newest first,
 * searchable by request id and filtered by tenant and outcome; one event's facts and stage verdicts;
 * and, for that event, a proof checked in this browser that it is in the log the operator signed.
 */
import { Fragment, useState, type FormEvent } from 'react';
import type { AuditEventList, AuditEventSummary } from '../../../../src/spec/console-api.js';
import { useApi } from '../../api/use-api.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { DataView } from '../../components/states.js';
import { useFormat, useMessages } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { EventDetail } from './event-detail.js';
import { auditMessages } from './messages.js';
import './audit.css';

const pageSize = 50;

interface Filters {
  readonly requestId: string;
  readonly tenant: string;
  readonly outcome: '' | 'ok' | 'error';
}

const noFilters: Filters = { requestId: '', tenant: '', outcome: '' };

/** An error code that may wrap after its underscores (client_closed_request), so that it does not set the column's width. */
function breakable(code: string) {
  return code.split('_').map((part, position, parts) => (
    <Fragment key={position}>
      {part}
      {position < parts.length - 1 ? (
        <>
          _<wbr />
        </>
      ) : null}
    </Fragment>
  ));
}

export default function AuditPage() {
  const t = useMessages(auditMessages);
  const format = useFormat();
  const { principal } = useSession();
  const ownTenant = principal.role === 'tenant_admin' ? principal.tenant : undefined;

  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  // `before` of the page shown (undefined: the newest) and of every newer page, to go back up.
  const [before, setBefore] = useState<number | undefined>(undefined);
  const [newer, setNewer] = useState<readonly (number | undefined)[]>([]);
  const [selected, setSelected] = useState<number | undefined>(undefined);

  const list = useApi<AuditEventList>('/admin/v1/audit/events', {
    tenant: ownTenant ?? filters.tenant.trim(),
    requestId: filters.requestId.trim(),
    outcome: filters.outcome,
    before,
    limit: pageSize,
  });

  const apply = (next: Filters) => {
    setFilters(next);
    setBefore(undefined);
    setNewer([]);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };

  const clear = () => {
    setDraft(noFilters);
    apply(noFilters);
  };

  const older = (nextBefore: number) => {
    setNewer((stack) => [...stack, before]);
    setBefore(nextBefore);
  };

  const goNewer = () => {
    if (newer.length === 0) return;
    setBefore(newer[newer.length - 1]);
    setNewer(newer.slice(0, -1));
  };

  const columns: Column<AuditEventSummary>[] = [
    {
      id: 'time',
      header: t('colTime'),
      cell: (row) => <time dateTime={row.time} title={row.time}>{format.dateTime(row.time)}</time>,
    },
    {
      id: 'requestId',
      header: t('colRequestId'),
      rowHeader: true,
      cell: (row) => (
        <button
          type="button"
          className="link-button audit-request-id"
          aria-pressed={selected === row.index}
          title={t('openEvent', { requestId: row.requestId, index: row.index })}
          onClick={(event) => {
            event.stopPropagation();
            setSelected(row.index);
          }}
        >
          <code>{row.requestId}</code>
        </button>
      ),
    },
    { id: 'tenant', header: t('colTenant'), cell: (row) => row.tenant ?? <span className="muted">—</span> },
    { id: 'model', header: t('colModel'), cell: (row) => row.model ?? <span className="muted">—</span> },
    { id: 'backend', header: t('colBackend'), cell: (row) => row.backend ?? <span className="muted">—</span> },
    {
      id: 'jurisdiction',
      header: t('colJurisdiction'),
      cell: (row) =>
        row.jurisdiction === null ? (
          <span className="muted">—</span>
        ) : (
          <span title={format.region(row.jurisdiction)}>
            {row.jurisdiction}
            {row.crossBorder ? (
              <span className="audit-badge audit-badge-warn" data-testid="audit-cross-border">
                {t('crossBorder')}
              </span>
            ) : null}
          </span>
        ),
    },
    {
      id: 'status',
      header: t('colStatus'),
      cell: (row) => (
        <span className={row.status >= 400 ? 'audit-status-error' : 'audit-status-ok'}>
          {row.status}
          {row.code === null ? null : (
            <>
              {' '}
              <code className="audit-status-code">{breakable(row.code)}</code>
            </>
          )}
        </span>
      ),
    },
    { id: 'latency', header: t('colLatency'), numeric: true, cell: (row) => format.duration(row.latencyMs) },
  ];

  const isSet = (value: Filters) => value.requestId !== '' || value.tenant !== '' || value.outcome !== '';
  const filtered = isSet(filters);

  return (
    <section data-testid="page-audit" className="page audit-page" aria-labelledby="audit-title">
      <h1 id="audit-title">{t('title')}</h1>
      <p className="page-lead">{t('lead')}</p>

      <form role="search" className="audit-filters" onSubmit={submit} aria-label={t('searchLabel')}>
        <div className="audit-field audit-field-wide">
          <label htmlFor="audit-search">{t('searchLabel')}</label>
          <input
            id="audit-search"
            data-testid="audit-search"
            type="search"
            value={draft.requestId}
            placeholder={t('searchPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => setDraft({ ...draft, requestId: event.target.value })}
          />
        </div>
        {ownTenant === undefined ? (
          <div className="audit-field">
            <label htmlFor="audit-tenant">{t('filterTenant')}</label>
            <input
              id="audit-tenant"
              data-testid="audit-tenant"
              type="text"
              value={draft.tenant}
              placeholder={t('allTenants')}
              autoComplete="off"
              spellCheck={false}
              onChange={(event) => setDraft({ ...draft, tenant: event.target.value })}
            />
          </div>
        ) : null}
        <div className="audit-field">
          <label htmlFor="audit-outcome">{t('filterOutcome')}</label>
          <select
            id="audit-outcome"
            data-testid="audit-outcome"
            value={draft.outcome}
            onChange={(event) => {
              const next = { ...draft, outcome: event.target.value as Filters['outcome'] };
              setDraft(next);
              apply(next);
            }}
          >
            <option value="">{t('outcomeAll')}</option>
            <option value="ok">{t('outcomeOk')}</option>
            <option value="error">{t('outcomeError')}</option>
          </select>
        </div>
        <div className="audit-actions">
          <button type="submit" className="button button-primary" data-testid="audit-search-submit">
            {t('search')}
          </button>
          {filtered || isSet(draft) ? (
            <button type="button" className="button" onClick={clear} data-testid="audit-clear">
              {t('clear')}
            </button>
          ) : null}
        </div>
      </form>

      <DataView state={list} isEmpty={(data) => data.data.length === 0} empty={filtered ? t('emptyFiltered') : t('empty')}>
        {(data) => (
          <>
            <p className="muted audit-total" aria-live="polite">
              {t('total', { count: format.number(data.total) })}
            </p>
            <DataTable
              caption={t('listCaption')}
              captionHidden
              className="audit-table"
              columns={columns}
              rows={data.data}
              rowKey={(row) => String(row.index)}
              pageSize={0}
              rowProps={(row) => ({
                'data-testid': `audit-row-${row.index}`,
                className: `audit-row${selected === row.index ? ' audit-row-selected' : ''}`,
                'aria-selected': selected === row.index,
                onClick: () => setSelected(row.index),
              })}
            />
            <nav className="paginator" aria-label={t('pages')}>
              <button type="button" className="button" data-testid="audit-newer" disabled={newer.length === 0} onClick={goNewer}>
                <span aria-hidden="true" className="flip">‹ </span>
                {t('newer')}
              </button>
              <button
                type="button"
                className="button"
                data-testid="audit-older"
                disabled={data.nextBefore === null}
                onClick={() => {
                  if (data.nextBefore !== null) older(data.nextBefore);
                }}
              >
                {t('older')}
                <span aria-hidden="true" className="flip"> ›</span>
              </button>
            </nav>
          </>
        )}
      </DataView>

      {selected === undefined ? null : <EventDetail key={selected} index={selected} onClose={() => setSelected(undefined)} />}
    </section>
  );
}

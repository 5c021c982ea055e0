/**
 * Safety & PII: how often each hazard and each kind of personal data was found, in which language,
 * in prompts or answers, and what was done. Counts only; the API has no values to give.
 */
import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { SafetyAnswer } from '../../../../src/spec/console-api.js';
import { useApi } from '../../api/use-api.js';
import { by, DataTable, type Column } from '../../components/data-table.js';
import { DataView, EmptyState } from '../../components/states.js';
import { useTimeWindow, WindowPicker } from '../../components/time-window.js';
import { useFormat, useLang, useMessages, translate, type Format, type Translate } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { safetyMessages } from './messages.js';
import { entityNames, hazardNames } from './names.js';

type Messages = (typeof safetyMessages)['en'];
type HazardRow = SafetyAnswer['hazards'][number];
type PiiRow = SafetyAnswer['pii'][number];

interface Names {
  hazard(id: string): string;
  entity(type: string): string;
  language(code: string): string;
  action(action: string): string;
  where(where: 'request' | 'answer'): string;
}

function useNames(t: Translate<Messages>, format: Format): Names {
  const { lang } = useLang();
  return useMemo(
    () => ({
      hazard: (id) => {
        if (id.startsWith('custom:')) return id;
        return id in hazardNames.en ? translate(hazardNames, lang, id as keyof (typeof hazardNames)['en']) : id;
      },
      entity: (type) => (type in entityNames.en ? translate(entityNames, lang, type as keyof (typeof entityNames)['en']) : type),
      language: (code) => (code === 'und' || code === '' ? t('unknownLanguage') : format.language(code)),
      action: (action) => (['block', 'redact', 'monitor', 'off'].includes(action) ? t(`action_${action as 'block' | 'redact' | 'monitor' | 'off'}`) : action),
      where: (where) => t(`where_${where}`),
    }),
    [lang, t, format],
  );
}

export default function SafetyPage() {
  const t = useMessages(safetyMessages);
  const { principal } = useSession();
  const range = useTimeWindow('24h');
  const [tenant, setTenant] = useState('');
  const [draft, setDraft] = useState('');
  const tenantId = useId();
  const state = useApi<SafetyAnswer>('/admin/v1/insights/safety', { from: range.from, to: range.to, tenant });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTenant(draft.trim());
  };

  return (
    <section data-testid="page-safety" className="page">
      <div className="page-head">
        <h1>{t('title')}</h1>
        <WindowPicker window={range} />
      </div>
      <p className="muted">{t('intro')}</p>
      {principal.role === 'tenant_admin' ? null : (
        <form className="filters" onSubmit={submit}>
          <div className="field field-inline">
            <label htmlFor={tenantId}>{t('tenant')}</label>
            <input id={tenantId} value={draft} placeholder={t('allTenants')} onChange={(event) => setDraft(event.target.value)} autoComplete="off" />
          </div>
          <button type="submit" className="button">
            {t('apply')}
          </button>
        </form>
      )}
      <DataView state={state}>{(answer) => <SafetyBody t={t} answer={answer} />}</DataView>
    </section>
  );
}

function SafetyBody({ t, answer }: { t: Translate<Messages>; answer: SafetyAnswer }) {
  const format = useFormat();
  const names = useNames(t, format);
  const share = (count: number) => t('shareOf', { share: format.percent(answer.requests === 0 ? 0 : count / answer.requests) });
  return (
    <>
      <div className="cards">
        <div className="card">
          <p className="card-label">{t('requests')}</p>
          <p className="card-value">{format.number(answer.requests)}</p>
        </div>
        <div className={answer.blocked > 0 ? 'card card-danger' : 'card'}>
          <p className="card-label">{t('blocked')}</p>
          <p className="card-value">{format.number(answer.blocked)}</p>
          <p className="card-note">{share(answer.blocked)}</p>
        </div>
        <div className={answer.redacted > 0 ? 'card card-warning' : 'card'}>
          <p className="card-label">{t('redacted')}</p>
          <p className="card-value">{format.number(answer.redacted)}</p>
          <p className="card-note">{share(answer.redacted)}</p>
        </div>
      </div>

      <h2>{t('hazards')}</h2>
      {answer.hazards.length === 0 ? <EmptyState message={t('noHazards')} /> : <Hazards t={t} format={format} names={names} rows={answer.hazards} />}

      <h2>{t('pii')}</h2>
      {answer.pii.length === 0 ? <EmptyState message={t('noPii')} /> : <Pii t={t} format={format} names={names} rows={answer.pii} />}
    </>
  );
}

interface Summary {
  readonly key: string;
  readonly total: number;
  readonly request: number;
  readonly answer: number;
  readonly blocked: number;
}

function summarise<R extends { readonly where: 'request' | 'answer'; readonly count: number }>(rows: readonly R[], keyOf: (row: R) => string, blocked: (row: R) => boolean): Summary[] {
  const totals = new Map<string, { total: number; request: number; answer: number; blocked: number }>();
  for (const row of rows) {
    const key = keyOf(row);
    const entry = totals.get(key) ?? { total: 0, request: 0, answer: 0, blocked: 0 };
    entry.total += row.count;
    entry[row.where] += row.count;
    if (blocked(row)) entry.blocked += row.count;
    totals.set(key, entry);
  }
  return [...totals].map(([key, entry]) => ({ key, ...entry })).sort((a, b) => b.total - a.total);
}

function Bar({ value, max, tone }: { value: number; max: number; tone?: string }) {
  return (
    <span className="bar-track" aria-hidden="true" style={{ display: 'inline-block', inlineSize: '8rem', verticalAlign: 'middle', marginInlineEnd: '0.5rem' }}>
      <span className={`bar-fill ${tone ?? ''}`} style={{ display: 'block', inlineSize: `${max === 0 ? 0 : (value / max) * 100}%` }} />
    </span>
  );
}

function summaryColumns(t: Translate<Messages>, format: Format, label: string, name: (key: string) => ReactNode, max: number, withBlocked: boolean): Column<Summary>[] {
  const columns: Column<Summary>[] = [
    { id: 'key', header: label, rowHeader: true, cell: (row) => name(row.key), sort: by.text((row: Summary) => row.key) },
    {
      id: 'total',
      header: t('total'),
      numeric: true,
      cell: (row) => (
        <>
          <Bar value={row.total} max={max} />
          {format.number(row.total)}
        </>
      ),
      sort: by.number((row: Summary) => row.total),
    },
    { id: 'request', header: t('inPrompts'), numeric: true, cell: (row) => format.number(row.request), sort: by.number((row: Summary) => row.request) },
    { id: 'answer', header: t('inAnswers'), numeric: true, cell: (row) => format.number(row.answer), sort: by.number((row: Summary) => row.answer) },
  ];
  if (withBlocked) columns.push({ id: 'blocked', header: t('blocked'), numeric: true, cell: (row) => format.number(row.blocked), sort: by.number((row: Summary) => row.blocked) });
  return columns;
}

function HazardName({ id, names }: { id: string; names: Names }) {
  const name = names.hazard(id);
  return (
    <span>
      {name}
      {name === id ? null : (
        <>
          {' '}
          <code className="muted">{id}</code>
        </>
      )}
    </span>
  );
}

function Hazards({ t, format, names, rows }: { t: Translate<Messages>; format: Format; names: Names; rows: readonly HazardRow[] }) {
  const summary = useMemo(() => summarise(rows, (row) => row.hazard, (row) => row.action === 'block'), [rows]);
  const max = summary[0]?.total ?? 0;
  const summaryCols = useMemo(() => summaryColumns(t, format, t('hazard'), (key) => <HazardName id={key} names={names} />, max, true), [t, format, names, max]);
  const detailCols = useMemo<Column<HazardRow>[]>(
    () => [
      { id: 'hazard', header: t('hazard'), rowHeader: true, cell: (row) => <HazardName id={row.hazard} names={names} />, sort: by.text((row: HazardRow) => row.hazard) },
      { id: 'language', header: t('language'), cell: (row) => names.language(row.language), sort: by.text((row: HazardRow) => row.language) },
      { id: 'action', header: t('action'), cell: (row) => <span className={row.action === 'block' ? 'tag tag-danger' : row.action === 'redact' ? 'tag tag-warning' : 'tag'}>{names.action(row.action)}</span>, sort: by.text((row: HazardRow) => row.action) },
      { id: 'where', header: t('where'), cell: (row) => names.where(row.where), sort: by.text((row: HazardRow) => row.where) },
      { id: 'count', header: t('count'), numeric: true, cell: (row) => format.number(row.count), sort: by.number((row: HazardRow) => row.count) },
    ],
    [t, format, names],
  );
  return (
    <>
      <h3>{t('byHazard')}</h3>
      <DataTable caption={t('byHazard')} captionHidden columns={summaryCols} rows={summary} rowKey={(row) => row.key} />
      <h3>{t('hazardDetail')}</h3>
      <DataTable
        caption={t('hazardDetail')}
        captionHidden
        columns={detailCols}
        rows={rows}
        rowKey={(row) => `${row.hazard}|${row.language}|${row.action}|${row.where}`}
        initialSort={{ column: 'count', descending: true }}
      />
    </>
  );
}

function EntityName({ type, names }: { type: string; names: Names }) {
  const name = names.entity(type);
  return (
    <span>
      {name}
      {name === type ? null : (
        <>
          {' '}
          <code className="muted">{type}</code>
        </>
      )}
    </span>
  );
}

function Pii({ t, format, names, rows }: { t: Translate<Messages>; format: Format; names: Names; rows: readonly PiiRow[] }) {
  const summary = useMemo(() => summarise(rows, (row) => row.entity, () => false), [rows]);
  const max = summary[0]?.total ?? 0;
  const summaryCols = useMemo(() => summaryColumns(t, format, t('entity'), (key) => <EntityName type={key} names={names} />, max, false), [t, format, names, max]);
  const detailCols = useMemo<Column<PiiRow>[]>(
    () => [
      { id: 'entity', header: t('entity'), rowHeader: true, cell: (row) => <EntityName type={row.entity} names={names} />, sort: by.text((row: PiiRow) => row.entity) },
      { id: 'language', header: t('language'), cell: (row) => names.language(row.language), sort: by.text((row: PiiRow) => row.language) },
      { id: 'where', header: t('where'), cell: (row) => names.where(row.where), sort: by.text((row: PiiRow) => row.where) },
      { id: 'count', header: t('count'), numeric: true, cell: (row) => format.number(row.count), sort: by.number((row: PiiRow) => row.count) },
    ],
    [t, format, names],
  );
  return (
    <>
      <h3>{t('byEntity')}</h3>
      <DataTable caption={t('byEntity')} captionHidden columns={summaryCols} rows={summary} rowKey={(row) => row.key} />
      <h3>{t('piiDetail')}</h3>
      <DataTable caption={t('piiDetail')} captionHidden columns={detailCols} rows={rows} rowKey={(row) => `${row.entity}|${row.language}|${row.where}`} initialSort={{ column: 'count', descending: true }} />
    </>
  );
}

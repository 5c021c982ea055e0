/** Tenants: the list (searchable, 50 a page), and the form that creates one. */
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { ListAnswer, TenantView } from '../../api/admin-types.js';
import { useApi } from '../../api/use-api.js';
import { by, DataTable, type Column } from '../../components/data-table.js';
import { Jurisdiction } from '../../components/jurisdiction.js';
import { Paginator } from '../../components/paginator.js';
import { SearchField, useSearchPaging } from '../../components/search-field.js';
import { DataView, EmptyState } from '../../components/states.js';
import { useFormat, useMessages, type Format, type Translate } from '../../i18n/index.js';
import { can, useSession } from '../../session.js';
import { tenantMessages } from './messages.js';
import { TenantForm } from './tenant-form.js';

type Messages = (typeof tenantMessages)['en'];

const pageSize = 50;

export default function TenantsPage() {
  const t = useMessages(tenantMessages);
  const { principal } = useSession();
  const { query, setQuery, q, offset, setOffset } = useSearchPaging();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string>();
  // Servers that do not page the list refuse these parameters: then the whole list is read and paged here.
  const [serverPages, setServerPages] = useState(true);
  const state = useApi<ListAnswer<TenantView>>('/admin/v1/tenants', serverPages ? { q, offset, limit: pageSize } : undefined);
  const refused = state.error?.code === 'invalid_request' && ['q', 'offset', 'limit'].includes(state.error.param ?? '');
  useEffect(() => {
    if (refused) setServerPages(false);
  }, [refused]);

  return (
    <section data-testid="page-tenants" className="page">
      <div className="page-head">
        <h1>{t('title')}</h1>
        {can(principal, 'tenants.manage') ? (
          <button
            type="button"
            className="button button-primary"
            data-testid="tenant-create"
            aria-expanded={creating}
            onClick={() => {
              setCreating(true);
              setCreated(undefined);
            }}
          >
            {t('newTenant')}
          </button>
        ) : null}
      </div>
      <p className="muted">{t('intro')}</p>

      {creating ? (
        <TenantForm
          onDone={(tenant) => {
            setCreating(false);
            setCreated(tenant.id);
            state.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
      {created === undefined ? null : (
        <div className="notice notice-ok" role="status">
          <p>
            {t('created', { id: created })} <Link href={`/tenants/${encodeURIComponent(created)}`}>{t('open')}</Link>
          </p>
        </div>
      )}

      <SearchField label={t('search')} placeholder={t('searchPlaceholder')} testId="tenant-search" value={query} onChange={setQuery} />

      <DataView state={state}>{(answer) => <TenantList t={t} answer={answer} q={q} offset={offset} onPage={setOffset} />}</DataView>
    </section>
  );
}

function matches(tenant: TenantView, q: string): boolean {
  const needle = q.toLowerCase();
  return tenant.id.toLowerCase().includes(needle) || (tenant.displayName ?? '').toLowerCase().includes(needle);
}

function TenantList({ t, answer, q, offset, onPage }: { t: Translate<Messages>; answer: ListAnswer<TenantView>; q: string; offset: number; onPage(offset: number): void }) {
  const format = useFormat();
  // A server that does not page (no `page` in the answer) sent every tenant: search and page here.
  const filtered = answer.page === undefined && q !== '' ? answer.data.filter((tenant) => matches(tenant, q)) : answer.data;
  const page = answer.page ?? { offset, limit: pageSize, total: filtered.length };
  const rows = answer.page === undefined ? filtered.slice(offset, offset + pageSize) : filtered;
  const columns = useMemo(() => tenantColumns(t, format), [t, format]);
  if (rows.length === 0) return <EmptyState message={q === '' ? t('noTenants') : t('noMatch')} />;
  return (
    <>
      <DataTable caption={t('title')} captionHidden columns={columns} rows={rows} rowKey={(row) => row.id} pageSize={0} />
      <Paginator offset={page.offset} limit={page.limit} total={page.total} onChange={onPage} />
    </>
  );
}

export function limitsText(t: Translate<Messages>, format: Format, tenant: TenantView): string {
  const parts: string[] = [];
  const { limits } = tenant;
  if (limits.requestsPerMinute !== undefined) parts.push(`${t('requestsPerMinute')}: ${format.number(limits.requestsPerMinute)}`);
  if (limits.tokensPerDay !== undefined) parts.push(`${t('tokensPerDay')}: ${format.number(limits.tokensPerDay)}`);
  const currency = tenant.budgetCurrency;
  const money = (value: number) => (currency === undefined ? format.number(value) : format.moneyUnits(value, currency));
  if (limits.costPerDay !== undefined) parts.push(`${t('costPerDay')}: ${money(limits.costPerDay)}`);
  if (limits.costPerMonth !== undefined) parts.push(`${t('costPerMonth')}: ${money(limits.costPerMonth)}`);
  return parts.length === 0 ? t('noLimit') : parts.join(' · ');
}

function tenantColumns(t: Translate<Messages>, format: Format): Column<TenantView>[] {
  return [
    {
      id: 'id',
      header: t('id'),
      rowHeader: true,
      cell: (row) => (
        <Link href={`/tenants/${encodeURIComponent(row.id)}`} data-testid={`tenant-row-${row.id}`} className="nowrap">
          {row.id}
        </Link>
      ),
      sort: by.text((row: TenantView) => row.id),
    },
    { id: 'name', header: t('displayName'), cell: (row) => row.displayName ?? <span className="muted">—</span>, sort: by.text((row: TenantView) => row.displayName) },
    {
      id: 'jurisdictions',
      header: t('jurisdictions'),
      cell: (row) => (
        <span className="tags">
          {row.jurisdictions.map((code) => (
            <span key={code} className="tag">
              <Jurisdiction code={code} short />
            </span>
          ))}
        </span>
      ),
    },
    { id: 'home', header: t('home'), cell: (row) => <Jurisdiction code={row.homeJurisdiction} /> },
    { id: 'models', header: t('models'), cell: (row) => (row.models === undefined ? <span className="muted">{t('allModels')}</span> : row.models.join(', ')) },
    { id: 'limits', header: t('limits'), cell: (row) => <span className="small">{limitsText(t, format, row)}</span> },
    // Plain text, not a tag: "configuration (nara.yaml or nara serve flags)" has to wrap.
    { id: 'managed', header: t('managedBy'), cell: (row) => <span className="small">{t(row.managedBy === 'config' ? 'managed_config' : 'managed_admin')}</span> },
  ];
}

/** One tenant: its fields and limits, this month's budget, and its API keys. */
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { TenantView } from '../../api/admin-types.js';
import { apiSend, asApiError, type ApiError } from '../../api/client.js';
import { useApi } from '../../api/use-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { Jurisdiction } from '../../components/jurisdiction.js';
import { DataView } from '../../components/states.js';
import { useFormat, useMessages, type Format, type Translate } from '../../i18n/index.js';
import { can, useSession } from '../../session.js';
import { BudgetPanel } from './budget.js';
import { FormFailure } from './form-failure.js';
import { KeysPanel } from './keys-panel.js';
import { tenantMessages } from './messages.js';
import { TenantForm } from './tenant-form.js';

type Messages = (typeof tenantMessages)['en'];

const limitNames = ['requestsPerMinute', 'tokensPerMinute', 'concurrentRequests', 'tokensPerDay', 'tokensPerMonth', 'costPerDay', 'costPerMonth'] as const;

export default function TenantPage({ id }: { id: string }) {
  const t = useMessages(tenantMessages);
  const { principal } = useSession();
  const state = useApi<TenantView>(`/admin/v1/tenants/${encodeURIComponent(id)}`);
  const title = state.data?.displayName ?? id;
  // A 404 is an answer, not a failure: no tenant has this id, and trying again will not change that.
  const missing = state.error?.status === 404;
  const listLink = principal.role === 'tenant_admin' ? null : (
    <Link href="/tenants">
      <span className="flip" aria-hidden="true">
        ←
      </span>{' '}
      {missing ? t('backToList') : t('allTenants')}
    </Link>
  );

  if (missing) {
    return (
      <section data-testid="page-tenant" className="page">
        <h1 data-testid="tenant-not-found">{t('notFoundTitle')}</h1>
        <p>{t('notFoundBody', { id })}</p>
        {listLink === null ? null : <p>{listLink}</p>}
      </section>
    );
  }

  return (
    <section data-testid="page-tenant" className="page">
      {listLink === null ? null : <p>{listLink}</p>}
      <h1>
        {title} {title === id ? null : <code className="muted small">{id}</code>}
      </h1>
      <DataView state={state}>{(tenant) => <TenantBody t={t} tenant={tenant} onChanged={state.reload} />}</DataView>
    </section>
  );
}

function TenantBody({ t, tenant, onChanged }: { t: Translate<Messages>; tenant: TenantView; onChanged(): void }) {
  const format = useFormat();
  const { principal } = useSession();
  const [, navigate] = useLocation();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError>();
  const manageable = can(principal, 'tenants.manage') && tenant.managedBy === 'admin';

  const remove = async () => {
    setBusy(true);
    try {
      await apiSend('DELETE', `/admin/v1/tenants/${encodeURIComponent(tenant.id)}`);
      setDeleting(false);
      navigate('/tenants');
    } catch (error) {
      setDeleting(false);
      setFailure(asApiError(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {tenant.managedBy === 'config' ? (
        <div className="notice notice-warning">
          <p>{t('configManaged')}</p>
        </div>
      ) : null}
      {manageable && !editing ? (
        <div className="actions" style={{ marginBlockEnd: '1rem' }}>
          <button
            type="button"
            className="button"
            data-testid="tenant-edit"
            onClick={() => {
              setEditing(true);
              setSaved(false);
            }}
          >
            {t('edit')}
          </button>
          <button type="button" className="button button-danger" data-testid="tenant-delete" onClick={() => setDeleting(true)}>
            {t('deleteTenant')}
          </button>
        </div>
      ) : null}
      {saved ? (
        <div className="notice notice-ok" role="status">
          <p>{t('saved')}</p>
        </div>
      ) : null}
      {failure === undefined ? null : <FormFailure failure={failure} />}
      {editing ? (
        <TenantForm
          tenant={tenant}
          onDone={() => {
            setEditing(false);
            setSaved(true);
            onChanged();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <div className="columns">
          <section className="panel" aria-labelledby="tenant-details">
            <h2 id="tenant-details">{t('details')}</h2>
            <Details t={t} format={format} tenant={tenant} />
          </section>
          <section className="panel" aria-labelledby="tenant-limits">
            <h2 id="tenant-limits">{t('limits')}</h2>
            <LimitList t={t} format={format} tenant={tenant} />
          </section>
        </div>
      )}
      {can(principal, 'usage') ? <BudgetPanel tenant={tenant} /> : null}
      {can(principal, 'keys') ? <KeysPanel tenantId={tenant.id} /> : null}
      <ConfirmDialog open={deleting} title={t('deleteTitle', { id: tenant.id })} confirmLabel={t('delete')} danger busy={busy} onConfirm={() => void remove()} onCancel={() => setDeleting(false)}>
        <p>{t('deleteBody')}</p>
      </ConfirmDialog>
    </>
  );
}

function Details({ t, format, tenant }: { t: Translate<Messages>; format: Format; tenant: TenantView }) {
  return (
    <dl className="facts">
      <dt>{t('id')}</dt>
      <dd>
        <code>{tenant.id}</code>
      </dd>
      <dt>{t('displayName')}</dt>
      <dd>{tenant.displayName ?? '—'}</dd>
      <dt>{t('jurisdictions')}</dt>
      <dd>
        <ul className="tags" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {tenant.jurisdictions.map((code) => (
            <li key={code} className="tag">
              <Jurisdiction code={code} />
            </li>
          ))}
        </ul>
      </dd>
      <dt>{t('home')}</dt>
      <dd>
        <Jurisdiction code={tenant.homeJurisdiction} />
      </dd>
      <dt>{t('models')}</dt>
      <dd>{tenant.models === undefined ? <span className="muted">{t('allModels')}</span> : tenant.models.join(', ')}</dd>
      <dt>{t('budgetCurrency')}</dt>
      <dd>{tenant.budgetCurrency ?? '—'}</dd>
      {tenant.contact === undefined ? null : (
        <>
          <dt>{t('contact')}</dt>
          <dd>{tenant.contact}</dd>
        </>
      )}
      <dt>{t('managedBy')}</dt>
      <dd>{t(tenant.managedBy === 'config' ? 'managed_config' : 'managed_admin')}</dd>
      {tenant.createdAt === undefined ? null : (
        <>
          <dt>{t('createdAt')}</dt>
          <dd>{format.dateTime(tenant.createdAt)}</dd>
        </>
      )}
      {tenant.updatedAt === undefined ? null : (
        <>
          <dt>{t('updatedAt')}</dt>
          <dd>{format.dateTime(tenant.updatedAt)}</dd>
        </>
      )}
    </dl>
  );
}

function LimitList({ t, format, tenant }: { t: Translate<Messages>; format: Format; tenant: TenantView }) {
  const currency = tenant.budgetCurrency;
  return (
    <dl className="facts">
      {limitNames.map((name) => {
        const value = tenant.limits[name];
        const money = name === 'costPerDay' || name === 'costPerMonth';
        return (
          <div key={name} style={{ display: 'contents' }}>
            <dt>{t(name)}</dt>
            <dd>{value === undefined ? <span className="muted">{t('noLimit')}</span> : money && currency !== undefined ? format.moneyUnits(value, currency) : format.number(value)}</dd>
          </div>
        );
      })}
    </dl>
  );
}

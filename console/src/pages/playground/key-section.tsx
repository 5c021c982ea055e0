/**
 * The tenant key the playground calls the API with: pasted, handed over by the tenants page, or a
 * one-hour key created here. Held in memory only (never in storage); a password field hides it.
 */
import { useEffect, useState } from 'react';
import type { CreatedKey, ListAnswer, TenantView } from '../../api/admin-types.js';
import { apiSend, asApiError, type ApiError } from '../../api/client.js';
import { useApi } from '../../api/use-api.js';
import { ErrorState } from '../../components/states.js';
import { useFormat, useMessages } from '../../i18n/index.js';
import { setPlaygroundKey, usePlaygroundKey } from '../../playground-key.js';
import { useSession } from '../../session.js';
import { playgroundMessages } from './messages.js';

/** One hour, in the days the keys API counts in. */
const oneHourInDays = 0.0417;

export function KeySection({ keyValue, onKey }: { keyValue: string; onKey: (key: string) => void }) {
  const t = useMessages(playgroundMessages);
  const { principal } = useSession();
  const handed = usePlaygroundKey();
  const canCreate = principal.role === 'operator' || (principal.role === 'tenant_admin' && principal.tenant !== undefined);

  // A key handed over (by the tenants page, or created below) fills the field.
  useEffect(() => {
    if (handed !== undefined) onKey(handed.key);
  }, [handed, onKey]);

  return (
    // A form of its own (Enter does nothing), so that browsers treat the password field as one.
    <form className="pg-key-form" autoComplete="off" onSubmit={(event) => event.preventDefault()}>
      <fieldset className="pg-key-section">
        <legend>{t('keyLegend')}</legend>
        <div className="pg-field">
          <label htmlFor="pg-key">{t('keyLabel')}</label>
          <input
            id="pg-key"
            data-testid="pg-key"
            type="password"
            value={keyValue}
            autoComplete="off"
            spellCheck={false}
            aria-describedby="pg-key-hint"
            onChange={(event) => onKey(event.target.value.trim())}
          />
          <p id="pg-key-hint" className="muted pg-hint">
            {handed !== undefined && handed.key === keyValue ? t('keyHanded', { tenant: handed.tenant }) : t('keyHint')}
          </p>
        </div>
        {canCreate ? <CreateKey /> : null}
      </fieldset>
    </form>
  );
}

function CreateKey() {
  const t = useMessages(playgroundMessages);
  const format = useFormat();
  const { principal } = useSession();
  const ownTenant = principal.role === 'tenant_admin' ? principal.tenant : undefined;
  const [q, setQ] = useState('');
  const [query, setQuery] = useState('');
  const [tenant, setTenant] = useState(ownTenant ?? '');
  const [state, setState] = useState<{ busy: boolean; error?: ApiError; created?: CreatedKey }>({ busy: false });

  // Operators pick among all tenants (filtered as they type); a tenant admin has only their own.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(q.trim()), 300);
    return () => clearTimeout(timer);
  }, [q]);
  const tenants = useApi<ListAnswer<TenantView>>(ownTenant === undefined ? '/admin/v1/tenants' : null, { limit: 500, q: query });
  const choices = tenants.data?.data ?? [];
  useEffect(() => {
    if (ownTenant !== undefined) return;
    const first = choices[0];
    if (first !== undefined && !choices.some((choice) => choice.id === tenant)) setTenant(first.id);
  }, [choices, tenant, ownTenant]);

  const create = async () => {
    if (tenant === '') return;
    setState({ busy: true });
    try {
      const created = await apiSend<CreatedKey>('POST', `/admin/v1/tenants/${encodeURIComponent(tenant)}/keys`, { name: 'console-playground', expiresInDays: oneHourInDays });
      setState({ busy: false, created });
      // In memory only: it follows the user around the console until the tab closes.
      setPlaygroundKey({ tenant, key: created.key });
    } catch (error) {
      setState({ busy: false, error: asApiError(error) });
    }
  };

  return (
    <div className="pg-create-key">
      <p className="muted pg-hint">{t('createHint')}</p>
      <div className="pg-row">
        {ownTenant === undefined ? (
          <>
            <div className="pg-field">
              <label htmlFor="pg-tenant-filter">{t('tenantFilter')}</label>
              <input id="pg-tenant-filter" data-testid="pg-tenant-filter" type="search" value={q} autoComplete="off" onChange={(event) => setQ(event.target.value)} />
            </div>
            <div className="pg-field">
              <label htmlFor="pg-tenant">{t('tenant')}</label>
              <select id="pg-tenant" data-testid="pg-tenant" value={tenant} disabled={choices.length === 0} onChange={(event) => setTenant(event.target.value)}>
                {choices.length === 0 ? <option value="">{tenants.loading ? t('loadingTenants') : t('noTenants')}</option> : null}
                {choices.map((choice) => (
                  <option key={choice.id} value={choice.id}>
                    {choice.displayName === undefined ? choice.id : `${choice.displayName} (${choice.id})`}
                  </option>
                ))}
              </select>
            </div>
          </>
        ) : (
          <p className="pg-own-tenant">{t('ownTenant', { tenant: ownTenant })}</p>
        )}
        <button type="button" className="button" data-testid="pg-create-key" disabled={tenant === '' || state.busy} onClick={() => void create()}>
          {t('createKey')}
        </button>
      </div>
      {tenants.error === undefined ? null : <ErrorState error={tenants.error} onRetry={tenants.reload} />}
      {state.error === undefined ? null : <ErrorState error={state.error} />}
      {state.created === undefined ? null : (
        <p className="pg-created" role="status" data-testid="pg-key-created">
          {t('keyCreated', { tenant, expires: format.dateTime(state.created.expiresAt) })}
        </p>
      )}
    </div>
  );
}

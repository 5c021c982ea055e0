/**
 * The tenant form, for creating a tenant and for changing one managed through the API. Nara checks
 * everything; the form only turns text into the JSON it accepts and puts Nara's complaint next to the
 * field it names (`error.param`).
 */
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { apiSend, asApiError, type ApiError } from '../../api/client.js';
import type { TenantView } from '../../api/admin-types.js';
import { useMessages } from '../../i18n/index.js';
import { FormFailure } from './form-failure.js';
import { tenantMessages } from './messages.js';

type Messages = (typeof tenantMessages)['en'];

const limitFields = ['requestsPerMinute', 'tokensPerMinute', 'concurrentRequests', 'tokensPerDay', 'tokensPerMonth', 'costPerDay', 'costPerMonth'] as const;
type LimitField = (typeof limitFields)[number];
/** Cost limits are money (decimals allowed); the others count whole requests or tokens. */
const moneyFields: ReadonlySet<LimitField> = new Set<LimitField>(['costPerDay', 'costPerMonth']);

type FieldKey = 'id' | 'displayName' | 'jurisdictions' | 'homeJurisdiction' | 'models' | 'budgetCurrency' | `limits.${LimitField}`;

interface Draft {
  id: string;
  displayName: string;
  jurisdictions: string;
  homeJurisdiction: string;
  models: string;
  budgetCurrency: string;
  limits: Record<LimitField, string>;
}

function draftOf(tenant: TenantView | undefined): Draft {
  const limits = {} as Record<LimitField, string>;
  for (const field of limitFields) {
    const value = tenant?.limits[field];
    limits[field] = value === undefined ? '' : String(value);
  }
  return {
    id: tenant?.id ?? '',
    displayName: tenant?.displayName ?? '',
    jurisdictions: tenant?.jurisdictions.join(', ') ?? '',
    homeJurisdiction: tenant?.homeJurisdiction ?? '',
    models: tenant?.models?.join(', ') ?? '',
    budgetCurrency: tenant?.budgetCurrency ?? '',
    limits,
  };
}

function list(text: string, upper: boolean): string[] {
  return text
    .split(/[\s,;]+/)
    .map((item) => (upper ? item.trim().toUpperCase() : item.trim()))
    .filter((item) => item !== '');
}

/** Nara's `param` ("jurisdictions[1]", "limits.costPerDay") as the form field that shows it. */
function fieldOf(param: string | null): FieldKey | undefined {
  if (param === null) return undefined;
  const base = param.replace(/\[\d+\].*$/, '');
  const known: readonly string[] = ['id', 'displayName', 'jurisdictions', 'homeJurisdiction', 'models', 'budgetCurrency', ...limitFields.map((field) => `limits.${field}`)];
  return known.includes(base) ? (base as FieldKey) : undefined;
}

export interface TenantFormProps {
  /** Present: edit this tenant (PATCH); absent: create one (POST). */
  readonly tenant?: TenantView | undefined;
  onDone(tenant: TenantView): void;
  onCancel(): void;
}

export function TenantForm({ tenant, onDone, onCancel }: TenantFormProps) {
  const t = useMessages(tenantMessages);
  const editing = tenant !== undefined;
  const [draft, setDraft] = useState<Draft>(() => draftOf(tenant));
  const [errors, setErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [failure, setFailure] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const base = useId();
  const idOf = (key: FieldKey) => `${base}-${key.replace('.', '-')}`;

  const focusField = (key: FieldKey) => {
    document.getElementById(idOf(key))?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: Partial<Record<FieldKey, string>> = {};
    if (!editing && draft.id.trim() === '') found.id = t('required');
    const jurisdictions = list(draft.jurisdictions, true);
    if (jurisdictions.length === 0) found.jurisdictions = t('required');
    const limits: Record<string, number> = {};
    for (const field of limitFields) {
      const text = draft.limits[field].trim();
      if (text === '') continue;
      const value = Number(text);
      if (!Number.isFinite(value) || value <= 0 || (!moneyFields.has(field) && !Number.isInteger(value))) found[`limits.${field}`] = t('notNumber');
      else limits[field] = value;
    }
    setErrors(found);
    setFailure(undefined);
    const first = Object.keys(found)[0] as FieldKey | undefined;
    if (first !== undefined) {
      focusField(first);
      return;
    }
    const body: Record<string, unknown> = { jurisdictions };
    if (!editing) body.id = draft.id.trim();
    if (draft.displayName.trim() !== '') body.displayName = draft.displayName.trim();
    if (draft.homeJurisdiction.trim() !== '') body.homeJurisdiction = draft.homeJurisdiction.trim().toUpperCase();
    const models = list(draft.models, false);
    if (models.length > 0) body.models = models;
    // When editing, the limits sent are the whole set: a field emptied here is a limit removed.
    if (Object.keys(limits).length > 0 || editing) body.limits = limits;
    if (draft.budgetCurrency.trim() !== '') body.budgetCurrency = draft.budgetCurrency.trim().toUpperCase();

    setBusy(true);
    try {
      const saved = editing
        ? await apiSend<TenantView>('PATCH', `/admin/v1/tenants/${encodeURIComponent(tenant.id)}`, body)
        : await apiSend<TenantView>('POST', '/admin/v1/tenants', body);
      onDone(saved);
    } catch (error) {
      const apiError = asApiError(error);
      const field = fieldOf(apiError.param);
      if (field === undefined) {
        setFailure(apiError);
      } else {
        setErrors({ [field]: apiError.message });
        // The field's own message says it; the alert above names the code and request for support.
        setFailure(apiError);
        focusField(field);
      }
    } finally {
      setBusy(false);
    }
  };

  const field = (key: FieldKey, label: string, input: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined }) => ReactNode, help?: string) => {
    const id = idOf(key);
    const error = errors[key];
    const described = [help === undefined ? undefined : `${id}-help`, error === undefined ? undefined : `${id}-error`].filter((part) => part !== undefined).join(' ');
    return (
      <div className="field" key={key}>
        <label htmlFor={id}>{label}</label>
        {input({ id, 'aria-invalid': error !== undefined, 'aria-describedby': described === '' ? undefined : described })}
        {help === undefined ? null : (
          <p className="field-help" id={`${id}-help`}>
            {help}
          </p>
        )}
        {error === undefined ? null : (
          <p className="field-error" id={`${id}-error`}>
            {error}
          </p>
        )}
      </div>
    );
  };

  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const setLimit = (name: LimitField, value: string) => setDraft((current) => ({ ...current, limits: { ...current.limits, [name]: value } }));

  return (
    <form className="panel" onSubmit={(event) => void submit(event)} noValidate aria-label={editing ? t('edit') : t('newTenant')}>
      <h2>{editing ? `${t('edit')}: ${tenant.id}` : t('newTenant')}</h2>
      {failure === undefined ? null : <FormFailure failure={failure} />}
      <div className="form-grid">
        {editing
          ? null
          : field(
              'id',
              t('id'),
              (props) => <input {...props} data-testid="tenant-id" value={draft.id} onChange={(event) => set({ id: event.target.value })} autoComplete="off" spellCheck={false} required />,
              t('idHelp'),
            )}
        {field('displayName', t('displayName'), (props) => <input {...props} data-testid="tenant-display-name" value={draft.displayName} onChange={(event) => set({ displayName: event.target.value })} autoComplete="off" />)}
        {field(
          'jurisdictions',
          t('jurisdictions'),
          (props) => <input {...props} data-testid="tenant-jurisdictions" value={draft.jurisdictions} onChange={(event) => set({ jurisdictions: event.target.value })} autoComplete="off" spellCheck={false} required placeholder="KR, SG" />,
          t('jurisdictionsHelp'),
        )}
        {field(
          'homeJurisdiction',
          t('home'),
          (props) => <input {...props} data-testid="tenant-home" value={draft.homeJurisdiction} onChange={(event) => set({ homeJurisdiction: event.target.value })} autoComplete="off" spellCheck={false} maxLength={2} placeholder="KR" />,
          t('homeHelp'),
        )}
        {field('models', t('models'), (props) => <input {...props} data-testid="tenant-models" value={draft.models} onChange={(event) => set({ models: event.target.value })} autoComplete="off" spellCheck={false} />, t('modelsHelp'))}
      </div>
      <fieldset>
        <legend>{t('limitsLegend')}</legend>
        <div className="form-grid">
          {limitFields.map((name) =>
            field(`limits.${name}`, t(name as keyof Messages), (props) => (
              <input {...props} data-testid={`tenant-limit-${name}`} type="number" inputMode="decimal" min={0} step={moneyFields.has(name) ? 'any' : 1} value={draft.limits[name]} onChange={(event) => setLimit(name, event.target.value)} />
            )),
          )}
          {field(
            'budgetCurrency',
            t('budgetCurrency'),
            (props) => <input {...props} data-testid="tenant-currency" value={draft.budgetCurrency} onChange={(event) => set({ budgetCurrency: event.target.value })} autoComplete="off" spellCheck={false} maxLength={3} placeholder="KRW" />,
            t('budgetCurrencyHelp'),
          )}
        </div>
      </fieldset>
      <div className="actions">
        <button type="submit" className="button button-primary" data-testid="tenant-submit" disabled={busy}>
          {busy ? t('saving') : editing ? t('saveTenant') : t('createTenant')}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

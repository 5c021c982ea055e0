/**
 * A tenant's API keys: the list, a new key, rotation and revocation. A new or rotated key's secret is
 * shown once, in a read-only field to copy, and can be handed to the playground (in memory only).
 */
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import type { CreatedKey, KeyView, ListAnswer } from '../../api/admin-types.js';
import { apiSend, asApiError, type ApiError } from '../../api/client.js';
import { useApi } from '../../api/use-api.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { by, DataTable, type Column } from '../../components/data-table.js';
import { componentMessages } from '../../components/messages.js';
import { DataView } from '../../components/states.js';
import { useFormat, useMessages, type Format, type Translate } from '../../i18n/index.js';
import { setPlaygroundKey } from '../../playground-key.js';
import { can, useSession } from '../../session.js';
import { FormFailure } from './form-failure.js';
import { tenantMessages } from './messages.js';

type Messages = (typeof tenantMessages)['en'];

const graceChoices = [0, 3600, 86_400, 604_800] as const;
type Grace = (typeof graceChoices)[number];

type Pending = { readonly kind: 'rotate'; readonly key: KeyView } | { readonly kind: 'revoke'; readonly key: KeyView };

export function KeysPanel({ tenantId }: { tenantId: string }) {
  const t = useMessages(tenantMessages);
  const format = useFormat();
  const { principal } = useSession();
  const manage = can(principal, 'keys');
  const state = useApi<ListAnswer<KeyView>>(`/admin/v1/tenants/${encodeURIComponent(tenantId)}/keys`);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<CreatedKey>();
  const [pending, setPending] = useState<Pending>();
  const [grace, setGrace] = useState<Grace>(3600);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError>();
  const graceId = useId();

  const act = async () => {
    if (pending === undefined) return;
    setBusy(true);
    setFailure(undefined);
    try {
      if (pending.kind === 'rotate') {
        const rotated = await apiSend<CreatedKey>('POST', `/admin/v1/keys/${encodeURIComponent(pending.key.id)}/rotate`, { graceSeconds: grace });
        setSecret(rotated);
      } else {
        await apiSend<KeyView>('DELETE', `/admin/v1/keys/${encodeURIComponent(pending.key.id)}`);
      }
      setPending(undefined);
      state.reload();
    } catch (error) {
      setPending(undefined);
      setFailure(asApiError(error));
    } finally {
      setBusy(false);
    }
  };

  const columns = useMemo(() => keyColumns(t, format, manage, setPending), [t, format, manage]);
  const keyName = (key: KeyView) => key.name ?? key.hint;

  return (
    <section className="panel" aria-labelledby="keys-heading">
      <div className="page-head">
        <h2 id="keys-heading">{t('keys')}</h2>
        {manage ? (
          <button
            type="button"
            className="button button-primary"
            data-testid="key-create"
            aria-expanded={creating}
            onClick={() => {
              setCreating(true);
              setSecret(undefined);
            }}
          >
            {t('newKey')}
          </button>
        ) : null}
      </div>

      {creating ? (
        <KeyForm
          t={t}
          tenantId={tenantId}
          onCreated={(created) => {
            setCreating(false);
            setSecret(created);
            state.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
      {secret === undefined ? null : <SecretPanel t={t} tenantId={tenantId} created={secret} onDone={() => setSecret(undefined)} />}
      {failure === undefined ? null : <FormFailure failure={failure} />}

      <DataView state={state} isEmpty={(answer) => answer.data.length === 0} empty={t('noKeys')}>
        {(answer) => (
          <DataTable
            caption={t('keys')}
            captionHidden
            columns={columns}
            rows={answer.data}
            rowKey={(key) => key.id}
            rowProps={(key) => ({ 'data-testid': `key-row-${key.id}` })}
            initialSort={{ column: 'created', descending: true }}
          />
        )}
      </DataView>

      <ConfirmDialog
        open={pending?.kind === 'rotate'}
        title={pending === undefined ? '' : t('rotateTitle', { name: keyName(pending.key) })}
        confirmLabel={t('rotate')}
        busy={busy}
        onConfirm={() => void act()}
        onCancel={() => setPending(undefined)}
      >
        <p>{t('rotateBody')}</p>
        <div className="field">
          <label htmlFor={graceId}>{t('grace')}</label>
          <select id={graceId} data-testid="key-grace" value={grace} onChange={(event) => setGrace(Number(event.target.value) as Grace)}>
            {graceChoices.map((seconds) => (
              <option key={seconds} value={seconds}>
                {t(`grace_${seconds}`)}
              </option>
            ))}
          </select>
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === 'revoke'}
        title={pending === undefined ? '' : t('revokeTitle', { name: keyName(pending.key) })}
        confirmLabel={t('revoke')}
        danger
        busy={busy}
        onConfirm={() => void act()}
        onCancel={() => setPending(undefined)}
      >
        <p>{t('revokeBody')}</p>
      </ConfirmDialog>
    </section>
  );
}

function statusTag(t: Translate<Messages>, key: KeyView) {
  const tone = key.status === 'active' ? 'tag tag-ok' : key.status === 'revoking' ? 'tag tag-warning' : 'tag tag-danger';
  return <span className={tone}>{t(`status_${key.status}`)}</span>;
}

function keyColumns(t: Translate<Messages>, format: Format, manage: boolean, ask: (pending: Pending) => void): Column<KeyView>[] {
  const columns: Column<KeyView>[] = [
    { id: 'name', header: t('keyName'), rowHeader: true, cell: (key) => key.name ?? <span className="muted">{t('unnamed')}</span>, sort: by.text((key: KeyView) => key.name) },
    { id: 'id', header: t('id'), cell: (key) => <code>{key.id}</code> },
    { id: 'hint', header: t('keyHint'), cell: (key) => <code>{key.hint}</code> },
    { id: 'status', header: t('status'), cell: (key) => statusTag(t, key), sort: by.text((key: KeyView) => key.status) },
    { id: 'created', header: t('createdAt'), cell: (key) => format.dateTime(key.createdAt), sort: by.text((key: KeyView) => key.createdAt) },
    {
      id: 'expires',
      header: t('expires'),
      cell: (key) => (key.revokedAt !== undefined ? format.dateTime(key.revokedAt) : key.expiresAt === undefined ? <span className="muted">{t('never')}</span> : format.dateTime(key.expiresAt)),
    },
  ];
  if (!manage) return columns;
  columns.push({
    id: 'actions',
    header: t('actions'),
    cell: (key) => {
      const label = key.name ?? key.hint;
      return (
        <span className="actions">
          {key.status === 'active' ? (
            <button type="button" className="button button-small" data-testid={`key-rotate-${key.id}`} aria-label={`${t('rotate')}: ${label}`} onClick={() => ask({ kind: 'rotate', key })}>
              {t('rotate')}
            </button>
          ) : null}
          {key.status === 'active' || key.status === 'revoking' ? (
            <button type="button" className="button button-small" data-testid={`key-revoke-${key.id}`} aria-label={`${t('revoke')}: ${label}`} onClick={() => ask({ kind: 'revoke', key })}>
              {t('revoke')}
            </button>
          ) : null}
        </span>
      );
    },
  });
  return columns;
}

/** Nara's `param` for a new key as the form field that shows it (expiry may be named either way). */
function keyFieldOf(param: string | null): 'name' | 'days' | undefined {
  if (param === 'name') return 'name';
  if (param === 'expiresInDays' || param === 'expiresAt') return 'days';
  return undefined;
}

function KeyForm({ t, tenantId, onCreated, onCancel }: { t: Translate<Messages>; tenantId: string; onCreated(key: CreatedKey): void; onCancel(): void }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError>();
  const [nameError, setNameError] = useState<string>();
  const [daysError, setDaysError] = useState<string>();
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body: Record<string, unknown> = {};
    if (name.trim() !== '') body.name = name.trim();
    setNameError(undefined);
    if (days.trim() !== '') {
      const value = Number(days);
      if (!Number.isFinite(value) || value <= 0) {
        setDaysError(t('notNumber'));
        document.getElementById(`${id}-days`)?.focus();
        return;
      }
      body.expiresInDays = value;
    }
    setDaysError(undefined);
    setBusy(true);
    setFailure(undefined);
    try {
      onCreated(await apiSend<CreatedKey>('POST', `/admin/v1/tenants/${encodeURIComponent(tenantId)}/keys`, body));
    } catch (error) {
      const apiError = asApiError(error);
      setFailure(apiError);
      // As in the tenant form: Nara's complaint also goes next to the field it names.
      const field = keyFieldOf(apiError.param);
      if (field === 'name') setNameError(apiError.message);
      if (field === 'days') setDaysError(apiError.message);
      if (field !== undefined) document.getElementById(`${id}-${field}`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(event) => void submit(event)} noValidate aria-label={t('newKey')}>
      {failure === undefined ? null : <FormFailure failure={failure} />}
      <div className="form-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('keyName')}</label>
          <input
            id={`${id}-name`}
            data-testid="key-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            autoComplete="off"
            aria-invalid={nameError !== undefined}
            aria-describedby={nameError === undefined ? undefined : `${id}-name-error`}
          />
          {nameError === undefined ? null : (
            <p className="field-error" id={`${id}-name-error`}>
              {nameError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-days`}>{t('keyExpires')}</label>
          <input
            id={`${id}-days`}
            data-testid="key-expires"
            type="number"
            min={1}
            step="any"
            value={days}
            onChange={(event) => setDays(event.target.value)}
            aria-invalid={daysError !== undefined}
            aria-describedby={`${id}-days-help${daysError === undefined ? '' : ` ${id}-days-error`}`}
          />
          <p className="field-help" id={`${id}-days-help`}>
            {t('keyExpiresHelp')}
          </p>
          {daysError === undefined ? null : (
            <p className="field-error" id={`${id}-days-error`}>
              {daysError}
            </p>
          )}
        </div>
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" data-testid="key-submit" disabled={busy}>
          {busy ? t('creating') : t('createKey')}
        </button>
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function SecretPanel({ t, tenantId, created, onDone }: { t: Translate<Messages>; tenantId: string; created: CreatedKey; onDone(): void }) {
  const common = useMessages(componentMessages);
  const [, navigate] = useLocation();
  const heading = useRef<HTMLHeadingElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const id = useId();

  // The key appears after an action elsewhere on the page: bring the reader to it.
  useEffect(() => {
    heading.current?.focus();
  }, [created.key]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('yes');
    } catch {
      // Clipboard access can be refused (no secure context, a policy): select it for a manual copy.
      field.current?.select();
      setCopied('failed');
    }
  };

  return (
    <div className="notice notice-warning" data-testid="key-secret-panel">
      <h3 ref={heading} tabIndex={-1} style={{ marginBlockStart: 0 }}>
        {t('secretTitle')}
      </h3>
      <p>
        <strong>{t('secretWarning')}</strong>
      </p>
      <div className="field">
        <label htmlFor={id}>{t('secretLabel', { tenant: tenantId })}</label>
        <div className="secret">
          <input id={id} ref={field} data-testid="key-secret" readOnly value={created.key} spellCheck={false} autoComplete="off" onFocus={(event) => event.target.select()} />
          <button type="button" className="button" onClick={() => void copy()}>
            {common('copy')}
          </button>
        </div>
        <p className="field-help" role="status">
          {copied === 'yes' ? common('copied') : copied === 'failed' ? common('copyFailed') : ''}
        </p>
      </div>
      <div className="actions">
        <button
          type="button"
          className="button button-primary"
          data-testid="key-use-playground"
          onClick={() => {
            setPlaygroundKey({ tenant: tenantId, key: created.key });
            navigate('/playground');
          }}
        >
          {t('usePlayground')}
        </button>
        <button type="button" className="button" onClick={onDone}>
          {t('done')}
        </button>
      </div>
    </div>
  );
}

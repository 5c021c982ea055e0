/**
 * One audit event: its facts as the leaf records them, each stage's verdict, and its proof. The facts
 * are read here from the leaf's bytes (the ones the proof checks), never from the server's parsed
 * `event`, and the proof is asked about the row the user chose, never the index the server answers.
 */
import { useEffect, useRef, type ReactNode } from 'react';
import type { AuditEventDetail } from '../../../../src/spec/console-api.js';
import { useApi } from '../../api/use-api.js';
import { DataView } from '../../components/states.js';
import { StageTable } from '../../components/stage-table.js';
import { useFormat, useMessages } from '../../i18n/index.js';
import { readLeaf } from '../../verify/index.js';
import { auditMessages } from './messages.js';
import { VerifyPanel } from './verify-panel.js';

type EventRecord = Readonly<Record<string, unknown>>;

export interface StageRow {
  readonly stage: string;
  readonly ok: boolean;
  readonly code?: string | undefined;
  readonly note?: string | undefined;
}

/** The `stages` of an event, keeping only well-formed entries (the leaf is data, not trusted code). */
export function stagesOf(event: EventRecord): StageRow[] {
  const stages = event.stages;
  if (!Array.isArray(stages)) return [];
  return stages.flatMap((value: unknown) => {
    if (typeof value !== 'object' || value === null) return [];
    const record = value as Record<string, unknown>;
    if (typeof record.stage !== 'string') return [];
    return [{ stage: record.stage, ok: record.ok === true, code: typeof record.code === 'string' ? record.code : undefined, note: typeof record.note === 'string' ? record.note : undefined }];
  });
}

const text = (event: EventRecord, name: string): string | null => {
  const value = event[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
};

const num = (event: EventRecord, name: string): number | null => {
  const value = event[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

const record = (event: EventRecord, name: string): Record<string, unknown> | null => {
  const value = event[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
};

function Missing() {
  return <span className="muted">—</span>;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="audit-fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function EventDetail({ index, onClose }: { index: number; onClose: () => void }) {
  const t = useMessages(auditMessages);
  const detail = useApi<AuditEventDetail>(`/admin/v1/audit/events/${index}`);
  const heading = useRef<HTMLHeadingElement>(null);

  // Selecting an event moves the focus to it, so keyboard and screen-reader users land on what opened.
  useEffect(() => {
    heading.current?.focus();
  }, [index]);

  return (
    <section className="audit-detail panel" data-testid="audit-detail" aria-labelledby="audit-detail-title">
      <div className="panel-head">
        <h2 id="audit-detail-title" ref={heading} tabIndex={-1}>
          {t('detailTitle', { index })}
        </h2>
        <button type="button" className="button" onClick={onClose} data-testid="audit-detail-close">
          {t('closeDetail')}
        </button>
      </div>
      <DataView state={detail}>{(data) => <EventFromLeaf data={data} index={index} />}</DataView>
    </section>
  );
}

/** `data.event` and `data.index` are ignored on purpose: only the leaf's bytes are checked by the proof. */
function EventFromLeaf({ data, index }: { data: AuditEventDetail; index: number }) {
  const t = useMessages(auditMessages);
  const reading = readLeaf(String(data.leaf));
  return (
    <>
      {reading.ok ? (
        <>
          <p className="muted audit-hint" data-testid="audit-facts-source">
            {t('factsFromLeaf')}
          </p>
          {reading.index === undefined || reading.index === index ? null : (
            <div className="notice notice-warning" role="alert" data-testid="audit-leaf-other-index">
              <p>{t('leafOtherIndex', { leafIndex: reading.index, index })}</p>
            </div>
          )}
          <EventFacts event={reading.fields} />
        </>
      ) : (
        <div className="state state-error" role="alert" data-testid="audit-leaf-unreadable" data-problem={reading.problem}>
          <p className="state-title">{t('leafUnreadableTitle')}</p>
          <p>{reading.problem === 'base64' ? t('leafNotBase64') : t('leafNotJson')}</p>
          <p className="muted">
            <code>{reading.reason}</code>
          </p>
        </div>
      )}
      {/* Still offered when the leaf cannot be read: the proof shows whether those bytes are what the log holds. */}
      <VerifyPanel index={index} leaf={String(data.leaf)} />
    </>
  );
}

function EventFacts({ event }: { event: EventRecord }) {
  const t = useMessages(auditMessages);
  const format = useFormat();
  const stages = stagesOf(event);
  const usage = record(event, 'usage');
  const pii = record(event, 'pii');
  const content = record(event, 'content');
  const status = num(event, 'status');
  const code = text(event, 'code');
  const jurisdiction = text(event, 'jurisdiction');
  const home = text(event, 'homeJurisdiction');
  const optional = (value: string | null, render: (value: string) => ReactNode = (shown) => shown) => (value === null ? <Missing /> : render(value));
  const mono = (value: string) => <code className="selectable">{value}</code>;
  const entityCounts = (value: unknown) =>
    typeof value === 'object' && value !== null
      ? Object.entries(value as Record<string, unknown>)
          .filter(([, count]) => typeof count === 'number' && count > 0)
          .map(([entity, count]) => `${entity} × ${format.number(count as number)}`)
          .join(', ')
      : '';

  return (
    <>
      <dl className="audit-facts" data-testid="audit-facts">
        <Fact label={t('factTime')}>{optional(text(event, 'time'), (time) => <time dateTime={time} title={time}>{format.dateTime(time)}</time>)}</Fact>
        <Fact label={t('factRequestId')}>{optional(text(event, 'requestId'), mono)}</Fact>
        <Fact label={t('factEndpoint')}>
          {optional(text(event, 'endpoint'), mono)}
          {event.stream === true ? <span className="audit-badge">{t('streamed')}</span> : null}
        </Fact>
        <Fact label={t('factTenant')}>{optional(text(event, 'tenant'))}</Fact>
        <Fact label={t('factKey')}>{optional(text(event, 'keyId'), mono)}</Fact>
        <Fact label={t('factModel')}>{optional(text(event, 'model'))}</Fact>
        <Fact label={t('factBackend')}>{optional(text(event, 'backend'))}</Fact>
        <Fact label={t('factJurisdiction')}>
          {jurisdiction === null ? <Missing /> : `${format.region(jurisdiction)} (${jurisdiction})`}
          {event.crossBorder === true ? <span className="audit-badge audit-badge-warn">{t('crossBorderFrom', { home: home ?? '—' })}</span> : null}
        </Fact>
        <Fact label={t('factHome')}>{home === null ? <Missing /> : `${format.region(home)} (${home})`}</Fact>
        <Fact label={t('factStatus')}>
          <span className={status !== null && status >= 400 ? 'audit-status-error' : 'audit-status-ok'}>
            {status ?? '—'}
            {code === null ? null : (
              <>
                {' '}
                <code>{code}</code>
              </>
            )}
          </span>
        </Fact>
        <Fact label={t('factAttempts')}>{format.number(num(event, 'attempts'))}</Fact>
        <Fact label={t('factLatency')}>{format.duration(num(event, 'latencyMs'))}</Fact>
        <Fact label={t('factUsage')}>
          {usage === null ? (
            <Missing />
          ) : (
            <>
              {t('usageTokens', { prompt: format.number(Number(usage.prompt)), completion: format.number(Number(usage.completion)), cached: format.number(Number(usage.cached)) })}
              {usage.estimated === true ? <span className="audit-badge">{t('estimated')}</span> : null}
            </>
          )}
        </Fact>
        <Fact label={t('factPii')}>
          {pii === null ? (
            <Missing />
          ) : (
            <>
              <code>{String(pii.action)}</code>
              {entityCounts(pii.entities) === '' ? null : <span> · {t('piiRequest', { entities: entityCounts(pii.entities) })}</span>}
              {entityCounts(pii.answerEntities) === '' ? null : <span> · {t('piiAnswer', { entities: entityCounts(pii.answerEntities) })}</span>}
            </>
          )}
        </Fact>
        <Fact label={t('factContent')}>{content === null ? t('contentNone') : t('contentKept', { mode: String(content.mode) })}</Fact>
        <Fact label={t('factRequestDigest')}>{optional(text(event, 'requestSha256'), mono)}</Fact>
        <Fact label={t('factAnswerDigest')}>{optional(text(event, 'answerSha256'), mono)}</Fact>
        <Fact label={t('factProvenance')}>{optional(text(event, 'provenanceId'), mono)}</Fact>
        <Fact label={t('factPrev')}>{optional(text(event, 'prev'), mono)}</Fact>
      </dl>

      <h3>{t('stagesTitle')}</h3>
      {stages.length === 0 ? (
        <p className="muted">{t('noStages')}</p>
      ) : (
        <StageTable
          rows={stages}
          testId="audit-stages"
          rowTestIdPrefix="audit-stage-"
          labels={{ title: t('stagesTitle'), stage: t('colStage'), verdict: t('colVerdict'), code: t('colCode'), note: t('colNote'), passed: t('stageOk'), stopped: t('stageStopped') }}
        />
      )}
    </>
  );
}

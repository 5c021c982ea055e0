/**
 * The playground: a conversation with a model through Nara's tenant API, exactly as an application
 * would have it (a tenant key, `/v1/models`, a streamed `/v1/chat/completions`), then what Nara
 * decided about it: each pipeline stage's verdict, read back from the request's audit event.
 */
import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AuditEventDetail, AuditEventList } from '../../../../src/spec/console-api.js';
import { apiGet, asApiError, type ApiError } from '../../api/client.js';
import { ErrorState, isUnreachable, Loading } from '../../components/states.js';
import { StageTable } from '../../components/stage-table.js';
import { useFormat, useMessages } from '../../i18n/index.js';
import { KeySection } from './key-section.js';
import { playgroundMessages } from './messages.js';
import { listModels, streamChat, type ChatMessage, type Usage } from './stream-chat.js';
import './playground.css';

interface StageRow {
  readonly stage: string;
  readonly ok: boolean;
  readonly code?: string | undefined;
  readonly note?: string | undefined;
}

/** What the audit event says the request ended with: every stage can pass and the request still fail (or be stopped). */
interface Outcome {
  readonly status: number | null;
  readonly code: string | null;
}

type Stages =
  | { readonly state: 'loading' }
  | { readonly state: 'done'; readonly rows: readonly StageRow[]; readonly index: number; readonly outcome: Outcome }
  | { readonly state: 'missing' }
  | { readonly state: 'error'; readonly error: ApiError };

interface Turn {
  readonly id: number;
  readonly prompt: string;
  answer: string;
  status: 'streaming' | 'done' | 'stopped' | 'error';
  requestId: string | null;
  firstTokenMs: number | null;
  totalMs: number | null;
  usage: Usage | null;
  provenanceId: string | null;
  finishReason: string | null;
  error: ApiError | null;
  stages: Stages | null;
}

function stagesOf(event: Readonly<Record<string, unknown>>): StageRow[] {
  if (!Array.isArray(event.stages)) return [];
  return event.stages.flatMap((value: unknown) => {
    if (typeof value !== 'object' || value === null) return [];
    const record = value as Record<string, unknown>;
    if (typeof record.stage !== 'string') return [];
    return [{ stage: record.stage, ok: record.ok === true, code: typeof record.code === 'string' ? record.code : undefined, note: typeof record.note === 'string' ? record.note : undefined }];
  });
}

function outcomeOf(event: Readonly<Record<string, unknown>>): Outcome {
  return { status: typeof event.status === 'number' ? event.status : null, code: typeof event.code === 'string' ? event.code : null };
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The request's audit event: by request id, then by index. The event is written before the response ends, but allow a moment. */
async function fetchStages(requestId: string): Promise<Stages> {
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const list = await apiGet<AuditEventList>('/admin/v1/audit/events', { requestId, limit: 1 });
      const found = list.data[0];
      if (found !== undefined) {
        const detail = await apiGet<AuditEventDetail>(`/admin/v1/audit/events/${found.index}`);
        return { state: 'done', rows: stagesOf(detail.event), index: detail.index, outcome: outcomeOf(detail.event) };
      }
      await wait(300 * (attempt + 1));
    }
    return { state: 'missing' };
  } catch (error) {
    return { state: 'error', error: asApiError(error) };
  }
}

function useModels(key: string) {
  const [state, setState] = useState<{ loading: boolean; models: readonly string[]; error?: ApiError }>({ loading: false, models: [] });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (key === '') {
      setState({ loading: false, models: [] });
      return;
    }
    const controller = new AbortController();
    setState((previous) => ({ loading: true, models: previous.models }));
    // Wait for typing or pasting to settle before asking.
    const timer = setTimeout(() => {
      listModels(key, controller.signal).then(
        (models) => setState({ loading: false, models }),
        (error: unknown) => {
          if (!controller.signal.aborted) setState({ loading: false, models: [], error: asApiError(error) });
        },
      );
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

export default function PlaygroundPage() {
  const t = useMessages(playgroundMessages);
  const format = useFormat();
  const [key, setKey] = useState('');
  const models = useModels(key);
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [prompt, setPrompt] = useState('');
  const [temperature, setTemperature] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [turns, setTurns] = useState<readonly Turn[]>([]);
  const controller = useRef<AbortController | null>(null);
  const nextId = useRef(1);

  useEffect(() => {
    if (models.models.length > 0 && !models.models.includes(model)) setModel(models.models[0] as string);
  }, [models.models, model]);

  // Leaving the page stops a stream still running.
  useEffect(() => () => controller.current?.abort(), []);

  const streaming = turns.some((turn) => turn.status === 'streaming');
  const update = (id: number, change: (turn: Turn) => Partial<Turn>) => setTurns((all) => all.map((turn) => (turn.id === id ? { ...turn, ...change(turn) } : turn)));

  const temperatureValue = temperature.trim() === '' ? undefined : Number(temperature);
  const maxTokensValue = maxTokens.trim() === '' ? undefined : Number(maxTokens);
  const temperatureInvalid = temperatureValue !== undefined && (!Number.isFinite(temperatureValue) || temperatureValue < 0 || temperatureValue > 2);
  const maxTokensInvalid = maxTokensValue !== undefined && (!Number.isInteger(maxTokensValue) || maxTokensValue < 1);
  const canSend = key !== '' && model !== '' && prompt.trim() !== '' && !streaming && !temperatureInvalid && !maxTokensInvalid;

  const send = async () => {
    if (!canSend) return;
    const id = nextId.current++;
    const text = prompt;
    // Earlier turns that produced an answer are the conversation so far; failed ones are left out.
    const history: ChatMessage[] = turns.flatMap((turn) =>
      turn.answer === '' || turn.status === 'error'
        ? []
        : [
            { role: 'user' as const, content: turn.prompt },
            { role: 'assistant' as const, content: turn.answer },
          ],
    );
    const messages: ChatMessage[] = [...(system.trim() === '' ? [] : [{ role: 'system' as const, content: system }]), ...history, { role: 'user', content: text }];
    setTurns((all) => [
      ...all,
      { id, prompt: text, answer: '', status: 'streaming', requestId: null, firstTokenMs: null, totalMs: null, usage: null, provenanceId: null, finishReason: null, error: null, stages: null },
    ]);
    setPrompt('');
    const abort = new AbortController();
    controller.current = abort;
    const started = performance.now();
    let first: number | null = null;
    const outcome = await streamChat(
      key,
      { model, messages, temperature: temperatureValue, max_tokens: maxTokensValue },
      {
        onResponse: (requestId) => update(id, () => ({ requestId })),
        onDelta: (delta) => {
          if (first === null) {
            first = performance.now() - started;
            const ttft = first;
            update(id, (turn) => ({ answer: turn.answer + delta, firstTokenMs: ttft }));
          } else update(id, (turn) => ({ answer: turn.answer + delta }));
        },
        onUsage: (usage) => update(id, () => ({ usage })),
        onProvenance: (provenance) => update(id, () => ({ provenanceId: provenance.id })),
        onFinish: (reason) => update(id, () => ({ finishReason: reason })),
      },
      abort.signal,
    );
    controller.current = null;
    const totalMs = performance.now() - started;
    if (outcome.status === 'error') {
      update(id, () => ({ status: 'error', error: outcome.error, totalMs }));
      // A refused prompt stays in the box, to be changed and sent again.
      setPrompt((current) => (current === '' ? text : current));
    } else update(id, () => ({ status: outcome.status === 'done' ? 'done' : 'stopped', totalMs }));
    const requestId = outcome.requestId;
    if (requestId !== null) {
      update(id, () => ({ stages: { state: 'loading' } }));
      const stages = await fetchStages(requestId);
      update(id, () => ({ stages }));
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };

  const promptKeys = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    }
  };

  const clear = () => {
    controller.current?.abort();
    setTurns([]);
  };

  const last = turns[turns.length - 1];

  return (
    <section data-testid="page-playground" className="page playground-page" aria-labelledby="pg-title">
      <h1 id="pg-title">{t('title')}</h1>
      <p className="page-lead">{t('lead')}</p>

      <KeySection keyValue={key} onKey={setKey} />

      <form className="pg-form" onSubmit={submit}>
        <div className="pg-row">
          <div className="pg-field">
            <label htmlFor="pg-model">{t('model')}</label>
            <select id="pg-model" data-testid="pg-model" value={model} disabled={models.models.length === 0} onChange={(event) => setModel(event.target.value)} aria-describedby="pg-model-status">
              {models.models.length === 0 ? <option value="">{key === '' ? t('modelNeedsKey') : models.loading ? t('modelsLoading') : t('noModels')}</option> : null}
              {models.models.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </div>
          <div className="pg-field pg-field-narrow">
            <label htmlFor="pg-temperature">{t('temperature')}</label>
            <input
              id="pg-temperature"
              data-testid="pg-temperature"
              type="number"
              inputMode="decimal"
              min={0}
              max={2}
              step={0.1}
              placeholder={t('defaultValue')}
              value={temperature}
              aria-invalid={temperatureInvalid}
              onChange={(event) => setTemperature(event.target.value)}
            />
          </div>
          <div className="pg-field pg-field-narrow">
            <label htmlFor="pg-max-tokens">{t('maxTokens')}</label>
            <input
              id="pg-max-tokens"
              data-testid="pg-max-tokens"
              type="number"
              inputMode="numeric"
              min={1}
              step={1}
              placeholder={t('defaultValue')}
              value={maxTokens}
              aria-invalid={maxTokensInvalid}
              onChange={(event) => setMaxTokens(event.target.value)}
            />
          </div>
        </div>
        <div id="pg-model-status" aria-live="polite">
          {models.error === undefined ? null : (
            <div data-testid="pg-models-error">
              <p className="pg-error-title">{models.error.status === 401 ? t('keyRefused') : t('modelsFailed')}</p>
              <ErrorState error={models.error} onRetry={models.reload} />
            </div>
          )}
        </div>
        {temperatureInvalid ? <p className="pg-invalid">{t('temperatureInvalid')}</p> : null}
        {maxTokensInvalid ? <p className="pg-invalid">{t('maxTokensInvalid')}</p> : null}
        <div className="pg-field">
          <label htmlFor="pg-system">{t('system')}</label>
          <textarea id="pg-system" data-testid="pg-system" rows={2} value={system} dir="auto" onChange={(event) => setSystem(event.target.value)} />
        </div>

        <Conversation turns={turns} />

        <div className="pg-field">
          <label htmlFor="pg-prompt">{t('prompt')}</label>
          <textarea id="pg-prompt" data-testid="pg-prompt" rows={4} value={prompt} dir="auto" aria-describedby="pg-prompt-hint" onChange={(event) => setPrompt(event.target.value)} onKeyDown={promptKeys} />
          <p id="pg-prompt-hint" className="muted pg-hint">
            {t('promptHint')}
          </p>
        </div>
        <div className="pg-actions">
          <button type="submit" className="button button-primary" data-testid="pg-send" disabled={!canSend}>
            {t('send')}
          </button>
          <button type="button" className="button" data-testid="pg-stop" disabled={!streaming} onClick={() => controller.current?.abort()}>
            {t('stop')}
          </button>
          <button type="button" className="button" data-testid="pg-clear" disabled={turns.length === 0} onClick={clear}>
            {t('clear')}
          </button>
        </div>
      </form>

      {last === undefined ? null : <TurnFacts turn={last} format={format} />}
    </section>
  );
}

function Conversation({ turns }: { turns: readonly Turn[] }) {
  const t = useMessages(playgroundMessages);
  if (turns.length === 0) return null;
  return (
    <ol className="pg-conversation" aria-label={t('conversation')}>
      {turns.map((turn, position) => {
        const latest = position === turns.length - 1;
        return (
          <li key={turn.id} className="pg-turn">
            <div className="pg-message pg-message-user">
              <span className="pg-speaker">{t('you')}</span>
              <p dir="auto">{turn.prompt}</p>
            </div>
            <div className={`pg-message pg-message-assistant pg-status-${turn.status}`}>
              <span className="pg-speaker">{t('assistant')}</span>
              <p dir="auto" data-testid={latest ? 'pg-answer' : undefined} data-status={latest ? turn.status : undefined} aria-live={latest ? 'polite' : undefined} aria-busy={turn.status === 'streaming'}>
                {turn.answer}
                {turn.status === 'streaming' ? <span className="pg-cursor" aria-hidden="true" /> : null}
              </p>
              {turn.status === 'stopped' ? <p className="muted pg-hint">{t('stopped')}</p> : null}
              {turn.status === 'error' ? (
                <p className="pg-invalid">{turn.error !== null && isUnreachable(turn.error) ? t('notSent') : <code>{turn.error?.code}</code>}</p>
              ) : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

function TurnFacts({ turn, format }: { turn: Turn; format: ReturnType<typeof useFormat> }) {
  const t = useMessages(playgroundMessages);
  // Nothing reached Nara: no request id, no timing worth showing, nothing refused. Only that.
  const unreachable = turn.error !== null && isUnreachable(turn.error);
  return (
    <section className="pg-facts" aria-labelledby="pg-facts-title">
      <h2 id="pg-facts-title">{t('factsTitle')}</h2>
      {turn.status === 'streaming' && turn.answer === '' ? <Loading label={t('waiting')} /> : null}
      {turn.error === null ? null : (
        <div data-testid="pg-error" data-code={turn.error.code}>
          {unreachable ? null : <p className="pg-error-title">{turn.answer === '' ? t('refused') : t('brokeOff')}</p>}
          <ErrorState error={turn.error} />
        </div>
      )}
      {unreachable ? null : (
        <dl className="pg-fact-list">
          <div>
            <dt>{t('requestId')}</dt>
            <dd>{turn.requestId === null ? <span className="muted">—</span> : <code className="selectable" data-testid="pg-request-id">{turn.requestId}</code>}</dd>
          </div>
          <div>
            <dt>{t('firstToken')}</dt>
            <dd data-testid="pg-ttft">{format.duration(turn.firstTokenMs)}</dd>
          </div>
          <div>
            <dt>{t('totalTime')}</dt>
            <dd data-testid="pg-total">{format.duration(turn.totalMs)}</dd>
          </div>
          <div>
            <dt>{t('usage')}</dt>
            <dd data-testid="pg-usage">
              {turn.usage === null
                ? <span className="muted">—</span>
                : t('usageValue', { prompt: format.number(turn.usage.prompt_tokens), completion: format.number(turn.usage.completion_tokens) })}
            </dd>
          </div>
          <div>
            <dt>{t('finish')}</dt>
            <dd>{turn.finishReason === null ? <span className="muted">—</span> : <code>{turn.finishReason}</code>}</dd>
          </div>
          <div>
            <dt>{t('provenance')}</dt>
            <dd>{turn.provenanceId === null ? <span className="muted">—</span> : <code className="selectable" data-testid="pg-provenance">{turn.provenanceId}</code>}</dd>
          </div>
        </dl>
      )}
      <StagesView stages={turn.stages} />
    </section>
  );
}

/**
 * What the request ended with, above its stages, when that was not a success: a stopped request's
 * stages all passed (nothing refused it), which read alone would look like a plain success.
 */
function OutcomeNote({ outcome, rows }: { outcome: Outcome; rows: readonly StageRow[] }) {
  const t = useMessages(playgroundMessages);
  if (outcome.status === null || outcome.status === 200) return null;
  const recorded = outcome.code === null ? t('outcomeNoCode', { status: outcome.status }) : t('outcome', { status: outcome.status, code: outcome.code });
  const why = outcome.code === 'client_closed_request' ? t('outcomeStopped') : rows.every((row) => row.ok) ? t('outcomeAfterStages') : t('outcomeAtStage');
  return (
    <div className={`notice ${outcome.code === 'client_closed_request' ? 'notice-warning' : 'notice-error'}`} data-testid="pg-outcome" data-status={outcome.status} data-code={outcome.code ?? undefined}>
      <p>
        <strong>{recorded}</strong> {why}
      </p>
    </div>
  );
}

function StagesView({ stages }: { stages: Stages | null }) {
  const t = useMessages(playgroundMessages);
  if (stages === null) return null;
  return (
    <div className="pg-stages-block">
      <h3>{t('stagesTitle')}</h3>
      {stages.state === 'loading' ? <Loading label={t('stagesLoading')} /> : null}
      {stages.state === 'missing' ? <p className="muted">{t('stagesMissing')}</p> : null}
      {stages.state === 'error' ? (
        <>
          <p className="muted">{t('stagesFailed')}</p>
          <ErrorState error={stages.error} />
        </>
      ) : null}
      {stages.state === 'done' ? <OutcomeNote outcome={stages.outcome} rows={stages.rows} /> : null}
      {stages.state === 'done' ? (
        <StageTable
          rows={stages.rows}
          testId="pg-stages"
          rowTestIdPrefix="pg-stage-"
          eventIndex={stages.index}
          labels={{ title: t('stagesTitle'), caption: t('stagesCaption', { index: stages.index }), stage: t('colStage'), verdict: t('colVerdict'), code: t('colCode'), note: t('colNote'), passed: t('stageOk'), stopped: t('stageStopped') }}
        />
      ) : null}
    </div>
  );
}

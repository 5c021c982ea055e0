/**
 * "Verify in this browser": fetches the signed checkpoint, the verifier key and the event's inclusion
 * proof, then checks them here with WebCrypto (console/src/verify), trusting the server for nothing
 * but bytes. Which key the signature is checked against decides what a success means: the server's
 * own key proves only that the server is consistent with itself (a server showing a forged log would
 * publish a matching key), so an auditor pastes the key given out of band, or pins one in this
 * browser, and the verdict always says which key it used.
 */
import { useEffect, useState } from 'react';
import { ApiError, apiErrorFrom, apiGet, apiText, asApiError } from '../../api/client.js';
import { ErrorState, Loading } from '../../components/states.js';
import { useFormat, useLang, useMessages, type Translate } from '../../i18n/index.js';
import { parseVerifierKey, readCheckpointNote, verifyInclusion, type InclusionProofInput, type InclusionVerdict, type VerifyFailureCode, type VerifyStep, type VerifyStepId } from '../../verify/index.js';
import { auditMessages } from './messages.js';
import { usePinnedKey } from './pinned-key.js';

/** Where the key a check used came from; shown on the result as `data-key-source`. */
type KeySource = 'server' | 'pasted' | 'pinned';

type Phase = 'checkpoint' | 'fresh' | 'proof' | 'verify';

type Run =
  | { readonly state: 'idle' }
  | { readonly state: 'running'; readonly phase: Phase }
  | { readonly state: 'done'; readonly verdict: InclusionVerdict; readonly note: string; readonly fetchedAt: string; readonly keySource: KeySource; readonly verifierKey: string; readonly fresh: boolean }
  | { readonly state: 'error'; readonly error: ApiError; readonly phase: Phase };

/**
 * POST that answers text (a fresh signed checkpoint). apiSend reads JSON answers only; this does the
 * same as it otherwise: same-origin cookie, the console's CSRF header, Nara's error shape read back.
 */
async function postForText(path: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { accept: 'text/plain', 'x-nara-console': '1' } });
  } catch {
    throw new ApiError('Nara could not be reached. Check the network connection and that the server is running.', 0, 'network_error', null);
  }
  const body = await response.text();
  if (response.ok) return body;
  throw apiErrorFrom(response, body);
}

/** The server's verifier key and latest checkpoint, fetched once when the panel opens, for showing. */
function usePublished() {
  const [key, setKey] = useState<{ text?: string; error?: ApiError }>({});
  const [checkpoint, setCheckpoint] = useState<{ note?: string; fetchedAt?: string; error?: ApiError }>({});
  useEffect(() => {
    const controller = new AbortController();
    apiText('/audit/v1/key', controller.signal).then(
      (text) => setKey({ text: text.trim() }),
      (error: unknown) => {
        if (!controller.signal.aborted) setKey({ error: asApiError(error) });
      },
    );
    apiText('/audit/v1/checkpoint', controller.signal).then(
      (note) => setCheckpoint({ note, fetchedAt: new Date().toISOString() }),
      (error: unknown) => {
        if (!controller.signal.aborted) setCheckpoint({ error: asApiError(error) });
      },
    );
    return () => controller.abort();
  }, []);
  return { key, checkpoint, setCheckpoint };
}

export function VerifyPanel({ index, leaf }: { index: number; leaf: string }) {
  const t = useMessages(auditMessages);
  const isolate = isolator(useLang().dir);
  const { key, checkpoint, setCheckpoint } = usePublished();
  const { pinned, pin, unpin } = usePinnedKey();
  const [pinFailed, setPinFailed] = useState(false);
  const [pasted, setPasted] = useState('');
  const [run, setRun] = useState<Run>({ state: 'idle' });

  const pastedKey = pasted.trim();
  const pastedReading = pastedKey === '' ? undefined : parseVerifierKey(pastedKey);
  const serverReading = key.text === undefined ? undefined : parseVerifierKey(key.text);
  // A pasted key is this one check's explicit choice; a pinned one is the standing choice; the server's is the fallback.
  const keySource: KeySource = pastedKey !== '' ? 'pasted' : pinned !== null ? 'pinned' : 'server';
  const keyToUse = keySource === 'pasted' ? pastedKey : keySource === 'pinned' ? (pinned ?? undefined) : key.text;
  const serverKeyChanged = pinned !== null && key.text !== undefined && key.text !== pinned;
  const named = (reading: ReturnType<typeof parseVerifierKey>) => (reading.ok ? isolate(`${reading.key.name}+${reading.key.keyHash}`) : '');

  const pinKey = (text: string) => setPinFailed(!pin(text));
  const unpinKey = () => setPinFailed(!unpin());

  const verify = async () => {
    let phase: Phase = 'checkpoint';
    const source = keySource;
    try {
      setRun({ state: 'running', phase });
      const verifierKey = keyToUse ?? (await apiText('/audit/v1/key')).trim();
      let note = await apiText('/audit/v1/checkpoint');
      let fresh = false;
      let read = readCheckpointNote(note);
      // The latest checkpoint may predate this event: ask for one that covers it.
      if (read.ok && read.checkpoint.size <= index) {
        phase = 'fresh';
        setRun({ state: 'running', phase });
        note = await postForText('/audit/v1/checkpoint');
        fresh = true;
        read = readCheckpointNote(note);
      }
      const fetchedAt = new Date().toISOString();
      setCheckpoint({ note, fetchedAt });
      // A note that cannot be read is reported by the verifier (at the signature step); no proof is needed for that.
      let proof: InclusionProofInput = { leaf_index: index, tree_size: 0, audit_path: [] };
      if (read.ok && read.checkpoint.size > index) {
        phase = 'proof';
        setRun({ state: 'running', phase });
        proof = await apiGet<InclusionProofInput>('/audit/v1/proof/inclusion', { index, size: read.checkpoint.size });
      } else if (read.ok) {
        proof = { leaf_index: index, tree_size: read.checkpoint.size, audit_path: [] };
      }
      phase = 'verify';
      setRun({ state: 'running', phase });
      // `index` is the row the user chose: a proof the server made for any other leaf must fail.
      const verdict = await verifyInclusion({ expectedIndex: index, leafBase64: leaf, proof, checkpointNote: note, verifierKey });
      setRun({ state: 'done', verdict, note, fetchedAt, keySource: source, verifierKey, fresh });
    } catch (error) {
      setRun({ state: 'error', error: asApiError(error), phase });
    }
  };

  const running = run.state === 'running';

  return (
    <section className="audit-verify" aria-labelledby="audit-verify-title">
      <h3 id="audit-verify-title">{t('verifyTitle')}</h3>
      <p className="muted">{t('verifyLead')}</p>

      <div className="audit-verify-grid">
        <div>
          <h4>{t('keyTitle')}</h4>
          {key.error !== undefined ? <ErrorState error={key.error} /> : key.text === undefined ? <Loading /> : <KeyFacts text={key.text} testId="audit-server-key" />}
          {serverKeyChanged ? (
            <div className="notice notice-warning" role="alert" data-testid="audit-key-changed">
              <p>
                <strong>{t('keyChangedTitle')}</strong>
              </p>
              <p>{t('keyChanged')}</p>
            </div>
          ) : null}
          <p className="muted audit-hint">{pinned === null ? t('keyCompare') : t('keyComparePinned')}</p>
          {key.text !== undefined && serverReading?.ok === true && key.text !== pinned ? (
            <p className="audit-pin-actions">
              <button type="button" className="button" data-testid="audit-pin-key" onClick={() => pinKey(key.text ?? '')}>
                {pinned === null ? t('pinKey') : t('pinKeyInstead')}
              </button>
              <span className="muted audit-hint">{t('pinHelp')}</span>
            </p>
          ) : null}
          {pinned === null ? null : (
            <div className="audit-pinned" data-testid="audit-pinned">
              <h5 className="audit-pinned-title">{t('pinnedTitle')}</h5>
              <KeyFacts text={pinned} testId="audit-pinned-key" />
              <button type="button" className="button" data-testid="audit-unpin-key" onClick={unpinKey}>
                {t('unpinKey')}
              </button>
            </div>
          )}
          {pinFailed ? <p className="audit-status-error" role="alert">{t('pinFailed')}</p> : null}
          <label htmlFor="audit-key-input">{t('keyInputLabel')}</label>
          <textarea
            id="audit-key-input"
            data-testid="audit-key-input"
            className="audit-key-input"
            rows={2}
            value={pasted}
            spellCheck={false}
            autoComplete="off"
            placeholder={t('keyInputPlaceholder')}
            aria-describedby="audit-key-input-status"
            onChange={(event) => setPasted(event.target.value)}
          />
          <p id="audit-key-input-status" className="audit-hint" aria-live="polite">
            {pastedReading === undefined
              ? pinned === null
                ? t('keyUsingServer')
                : t('keyUsingPinned', { key: named(parseVerifierKey(pinned)) || isolate(pinned) })
              : !pastedReading.ok
                ? <span className="audit-status-error">{t('keyInputInvalid', { reason: pastedReading.reason })}</span>
                : key.text !== undefined && key.text !== pastedKey
                  ? <span className="audit-status-warn">{t('keyDiffers', { key: named(pastedReading) })}</span>
                  : t('keyUsingPasted', { key: named(pastedReading) })}
          </p>
          {pastedReading?.ok === true && pastedKey !== pinned ? (
            <button type="button" className="button" data-testid="audit-pin-pasted" onClick={() => pinKey(pastedKey)}>
              {t('pinPastedKey')}
            </button>
          ) : null}
        </div>
        <div>
          <h4>{t('checkpointTitle')}</h4>
          {checkpoint.error !== undefined ? (
            <ErrorState error={checkpoint.error} />
          ) : checkpoint.note === undefined ? (
            <Loading />
          ) : (
            <CheckpointFacts note={checkpoint.note} fetchedAt={checkpoint.fetchedAt ?? ''} />
          )}
        </div>
      </div>

      <button type="button" className="button button-primary" data-testid="audit-verify" disabled={running} onClick={() => void verify()}>
        {t('verifyButton')}
      </button>

      <div aria-live="polite">
        {run.state === 'running' ? <Loading label={t(`phase_${run.phase}`)} /> : null}
        {run.state === 'error' ? (
          <div data-testid="audit-verify-error">
            <p className="audit-status-error">{t(`phaseFailed_${run.phase}`)}</p>
            <ErrorState error={run.error} onRetry={() => void verify()} />
          </div>
        ) : null}
        {run.state === 'done' ? <VerdictView run={run} index={index} pinned={pinned} onPin={pinKey} /> : null}
      </div>
    </section>
  );
}

function KeyFacts({ text, testId }: { text: string; testId: string }) {
  const t = useMessages(auditMessages);
  const reading = parseVerifierKey(text);
  return (
    <>
      <dl className="audit-facts audit-facts-compact" data-testid={testId}>
        <div className="audit-fact audit-fact-full">
          <dt>{t('keyText')}</dt>
          <dd>
            <code className="selectable audit-break">{text}</code>
          </dd>
        </div>
        {reading.ok ? (
          <>
            <div className="audit-fact">
              <dt>{t('keyName')}</dt>
              <dd>
                <code>{reading.key.name}</code>
              </dd>
            </div>
            <div className="audit-fact">
              <dt>{t('keyHash')}</dt>
              <dd>
                <code>{reading.key.keyHash}</code>
              </dd>
            </div>
          </>
        ) : null}
      </dl>
      {reading.ok ? null : <p className="audit-status-error">{t('keyInputInvalid', { reason: reading.reason })}</p>}
    </>
  );
}

function CheckpointFacts({ note, fetchedAt }: { note: string; fetchedAt: string }) {
  const t = useMessages(auditMessages);
  const read = readCheckpointNote(note);
  if (!read.ok) return <p className="audit-status-error">{t('checkpointUnreadable', { reason: read.reason })}</p>;
  return (
    <>
      <CheckpointList read={read} fetchedAt={fetchedAt} />
      <details>
        <summary>{t('checkpointRaw')}</summary>
        <pre className="audit-note selectable">{note}</pre>
      </details>
    </>
  );
}

function CheckpointList({ read, fetchedAt }: { read: Extract<ReturnType<typeof readCheckpointNote>, { ok: true }>; fetchedAt: string }) {
  const t = useMessages(auditMessages);
  const format = useFormat();
  const { checkpoint } = read;
  return (
    <dl className="audit-facts audit-facts-compact" data-testid="audit-checkpoint">
      <div className="audit-fact">
        <dt>{t('checkpointOrigin')}</dt>
        <dd>
          <code>{checkpoint.origin}</code>
        </dd>
      </div>
      <div className="audit-fact">
        <dt>{t('checkpointSize')}</dt>
        <dd data-testid="audit-checkpoint-size">{format.number(checkpoint.size)}</dd>
      </div>
      <div className="audit-fact audit-fact-full">
        <dt>{t('checkpointRoot')}</dt>
        <dd>
          <code className="selectable audit-break">{checkpoint.rootHashBase64}</code>
        </dd>
      </div>
      <div className="audit-fact">
        <dt>{t('checkpointFetched')}</dt>
        <dd>
          <time dateTime={fetchedAt} title={t('checkpointNoTime')}>
            {format.dateTime(fetchedAt)}
          </time>
        </dd>
      </div>
      <div className="audit-fact">
        <dt>{t('checkpointSigners')}</dt>
        <dd>
          {read.note.signatures.map((signature) => (
            <code key={`${signature.name}+${signature.keyHash}`} className="audit-signer">
              {signature.name}+{signature.keyHash}
            </code>
          ))}
        </dd>
      </div>
    </dl>
  );
}

const stepTitleKey: Record<VerifyStepId, 'stepKey' | 'stepSignature' | 'stepSize' | 'stepLeaf' | 'stepPath' | 'stepRoot'> = {
  key: 'stepKey',
  signature: 'stepSignature',
  size: 'stepSize',
  leaf: 'stepLeaf',
  path: 'stepPath',
  root: 'stepRoot',
};

const verifiedWith = { server: 'verifiedServerKey', pasted: 'verifiedPastedKey', pinned: 'verifiedPinnedKey' } as const;
const checkedWith = { server: 'usedServerKey', pasted: 'usedPastedKey', pinned: 'usedPinnedKey' } as const;

function VerdictView({ run, index, pinned, onPin }: { run: Extract<Run, { state: 'done' }>; index: number; pinned: string | null; onPin: (key: string) => void }) {
  const t = useMessages(auditMessages);
  const isolate = isolator(useLang().dir);
  const { verdict, keySource } = run;
  const keyName = verdict.key === undefined ? '' : isolate(`${verdict.key.name}+${verdict.key.keyHash}`);
  // Success against the server's own key is consistency only: said in the verdict itself, not in a footnote.
  const unanchored = verdict.ok && keySource === 'server';
  const hint = [unanchored ? '' : t(checkedWith[keySource]), run.fresh ? t('usedFreshCheckpoint') : ''].filter((part) => part !== '').join(' ');
  return (
    <div
      className={`audit-verdict ${verdict.ok ? 'audit-verdict-ok' : 'audit-verdict-failed'}${unanchored ? ' audit-verdict-unanchored' : ''}`}
      data-testid="audit-verify-result"
      data-status={verdict.ok ? 'verified' : 'failed'}
      data-key-source={keySource}
      data-failed-step={verdict.ok ? undefined : verdict.failedStep}
      role="status"
    >
      <p className="audit-verdict-title">
        <span aria-hidden="true">{verdict.ok ? '✓ ' : '✗ '}</span>
        {verdict.ok ? t(verifiedWith[keySource], { index, size: verdict.checkpoint.size, key: keyName }) : t('notVerified', { step: t(stepTitleKey[verdict.failedStep]) })}
        {unanchored ? (
          <>
            {' '}
            <span className="audit-verdict-caveat" data-testid="audit-verify-caveat">
              {t('verifiedServerCaveat')}
            </span>
          </>
        ) : null}
      </p>
      {unanchored && run.verifierKey !== pinned && parseVerifierKey(run.verifierKey).ok ? (
        <p>
          <button type="button" className="button" data-testid="audit-verdict-pin" onClick={() => onPin(run.verifierKey)}>
            {t('pinKey')}
          </button>
        </p>
      ) : null}
      {hint === '' ? null : <p className="muted audit-hint">{hint}</p>}
      <ol className="audit-steps">
        {verdict.steps.map((step) => (
          <StepView key={step.id} step={step} />
        ))}
      </ol>
    </div>
  );
}

/** Hashes and key names inside a right-to-left sentence keep their own left-to-right order (Unicode isolates). */
function isolator(dir: 'ltr' | 'rtl'): (value: string) => string {
  return dir === 'rtl' ? (value) => `\u2066${value}\u2069` : (value) => value;
}

function StepView({ step }: { step: VerifyStep }) {
  const t = useMessages(auditMessages);
  const isolate = isolator(useLang().dir);
  const facts = step.facts;
  const fact = (name: string) => (facts[name] === undefined ? '—' : isolate(String(facts[name])));
  let summary: string;
  if (step.status === 'skipped') summary = t('stepSkipped');
  else if (step.status === 'failed') summary = failureText(t, step.code ?? 'proof-malformed', facts, isolate);
  else {
    switch (step.id) {
      case 'key':
        summary = t('passedKey', { key: `${fact('name')}+${fact('keyHash')}` });
        break;
      case 'signature':
        summary = t('passedSignature', { origin: fact('origin') });
        break;
      case 'size':
        summary = t('passedSize', { index: fact('leafIndex'), size: fact('checkpointSize') });
        break;
      case 'leaf':
        summary = t('passedLeaf', { bytes: fact('bytes'), hash: fact('leafHash') });
        break;
      case 'path':
        summary = t('passedPath', { count: fact('pathLength'), root: fact('computedRoot') });
        break;
      case 'root':
        summary = t('passedRoot', { root: fact('checkpointRoot') });
        break;
    }
  }
  const shownFacts = Object.entries(facts);
  return (
    <li className={`audit-step audit-step-${step.status}`} data-testid={`audit-verify-step-${step.id}`} data-status={step.status}>
      <span className="audit-step-mark" aria-hidden="true">
        {step.status === 'passed' ? '✓' : step.status === 'failed' ? '✗' : '–'}
      </span>
      <div className="audit-step-body">
        <p className="audit-step-title">
          <strong>{t(stepTitleKey[step.id])}</strong>
          <span className="visually-hidden">: </span>
          <span className={`audit-step-outcome audit-step-outcome-${step.status}`}>{t(`outcome_${step.status}`)}</span>
        </p>
        <p className="audit-break">{summary}</p>
        {step.status === 'skipped' ? null : (
          <details>
            <summary>{t('stepDetails')}</summary>
            <p className="audit-break">
              <code>{step.detail}</code>
            </p>
            {shownFacts.length === 0 ? null : (
              <dl className="audit-step-facts">
                {shownFacts.map(([name, value]) => (
                  <div key={name}>
                    <dt>
                      <code>{name}</code>
                    </dt>
                    <dd>
                      <code className="selectable audit-break">{String(value)}</code>
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </details>
        )}
      </div>
    </li>
  );
}

type AuditT = Translate<(typeof auditMessages)['en']>;

function failureText(t: AuditT, code: VerifyFailureCode, facts: Readonly<Record<string, string | number>>, isolate: (value: string) => string): string {
  const vars = Object.fromEntries(Object.entries(facts).map(([name, value]) => [name, isolate(String(value))]));
  return t(`fail_${code.replace(/-/g, '_')}` as keyof (typeof auditMessages)['en'], vars);
}

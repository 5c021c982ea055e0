/**
 * Did this Nara produce this text? Verify checks a text against its signed manifest (given, carried
 * invisibly in the text, or found by the text's digest); detect finds outputs the text matches even
 * after light edits. Both are Nara's public endpoints: anyone holding an output can ask.
 */
import { useMemo, useRef, useState, type FormEvent } from 'react';
import type { DetectionAnswer, ProvenanceVerdict } from './types.js';
import { apiGet, apiSend, asApiError, type ApiError } from '../../api/client.js';
import { ErrorState, Loading } from '../../components/states.js';
import { TableScroll } from '../../components/table-scroll.js';
import { StageTable } from '../../components/stage-table.js';
import { useFormat, useMessages } from '../../i18n/index.js';
import { readManifestInput } from './manifest-input.js';
import { provenanceMessages } from './messages.js';
import './provenance.css';

type Result =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy'; readonly action: 'verify' | 'detect' }
  | { readonly kind: 'error'; readonly error: ApiError }
  | { readonly kind: 'verify'; readonly verdict: ProvenanceVerdict }
  | { readonly kind: 'detect'; readonly answer: DetectionAnswer };

export default function ProvenancePage() {
  const t = useMessages(provenanceMessages);
  const [text, setText] = useState('');
  const [manifest, setManifest] = useState('');
  const [result, setResult] = useState<Result>({ kind: 'idle' });
  const manifestField = useRef<HTMLTextAreaElement>(null);
  const given = useMemo(() => readManifestInput(manifest), [manifest]);

  const empty = text.trim() === '';
  const busy = result.kind === 'busy';

  const verify = async () => {
    if (given.kind === 'invalid') {
      // The message under the field says what it wants; sending would only get a parser's complaint.
      manifestField.current?.focus();
      return;
    }
    setResult({ kind: 'busy', action: 'verify' });
    try {
      // An id names the manifest without carrying it: Nara hands out the envelope it keeps for it.
      const envelope = given.kind === 'envelope' ? given.envelope : given.kind === 'id' ? (await apiGet<{ manifest: string }>(`/v1/provenance/${encodeURIComponent(given.id)}`)).manifest : undefined;
      const body = envelope === undefined ? { text } : { text, manifest: envelope };
      const verdict = await apiSend<ProvenanceVerdict>('POST', '/v1/provenance/verify', body);
      setResult({ kind: 'verify', verdict });
    } catch (error) {
      setResult({ kind: 'error', error: asApiError(error) });
    }
  };

  const detect = async () => {
    setResult({ kind: 'busy', action: 'detect' });
    try {
      const answer = await apiSend<DetectionAnswer>('POST', '/v1/provenance/detect', { text });
      setResult({ kind: 'detect', answer });
    } catch (error) {
      setResult({ kind: 'error', error: asApiError(error) });
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!empty && !busy) void verify();
  };

  return (
    <section data-testid="page-provenance" className="page provenance-page" aria-labelledby="prov-title">
      <h1 id="prov-title">{t('title')}</h1>
      <p className="page-lead">{t('lead')}</p>

      <form className="prov-form" onSubmit={submit}>
        <div className="prov-field">
          <label htmlFor="prov-text">{t('textLabel')}</label>
          <textarea
            id="prov-text"
            data-testid="prov-text"
            rows={8}
            value={text}
            dir="auto"
            aria-describedby="prov-text-hint"
            onChange={(event) => setText(event.target.value)}
          />
          <p id="prov-text-hint" className="muted prov-hint">
            {t('textHint')}
          </p>
        </div>
        <div className="prov-field">
          <label htmlFor="prov-manifest">{t('manifestLabel')}</label>
          <textarea
            id="prov-manifest"
            ref={manifestField}
            data-testid="prov-manifest"
            rows={3}
            value={manifest}
            spellCheck={false}
            autoComplete="off"
            className="prov-mono"
            aria-invalid={given.kind === 'invalid'}
            aria-describedby={given.kind === 'invalid' ? 'prov-manifest-hint prov-manifest-error' : 'prov-manifest-hint'}
            onChange={(event) => setManifest(event.target.value)}
          />
          <p id="prov-manifest-hint" className="muted prov-hint">
            {t('manifestHint')}
          </p>
          {given.kind === 'invalid' ? (
            <p id="prov-manifest-error" className="field-error" data-testid="prov-manifest-error">
              {t('manifestInvalid')}
            </p>
          ) : null}
          <p className="prov-hint" data-testid="prov-manifest-note" role="status">
            {given.kind === 'envelope' && given.unwrapped ? t('manifestUnwrapped') : given.kind === 'id' ? t('manifestFromId', { id: given.id }) : ''}
          </p>
        </div>
        <div className="prov-actions">
          <button type="submit" className="button button-primary" data-testid="prov-verify" disabled={empty || busy}>
            {t('verify')}
          </button>
          <button type="button" className="button" data-testid="prov-detect" disabled={empty || busy} onClick={() => void detect()}>
            {t('detect')}
          </button>
          {empty ? <span className="muted prov-hint">{t('needText')}</span> : null}
        </div>
      </form>

      <div aria-live="polite">
        {result.kind === 'busy' ? <Loading label={result.action === 'verify' ? t('verifying') : t('detecting')} /> : null}
        {result.kind === 'error' ? <ErrorState error={result.error} /> : null}
        {result.kind === 'verify' ? <VerdictView verdict={result.verdict} /> : null}
        {result.kind === 'detect' ? <MatchesView answer={result.answer} /> : null}
      </div>
    </section>
  );
}

type Manifest = Readonly<Record<string, unknown>>;

const field = (manifest: Manifest, name: string): string | null => {
  const value = manifest[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
};

interface Verdict {
  readonly stage: string;
  readonly ok: boolean;
  readonly code?: string | undefined;
  readonly note?: string | undefined;
}

function verdictsOf(manifest: Manifest): Verdict[] {
  const value = manifest.verdicts;
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const record = entry as Record<string, unknown>;
    if (typeof record.stage !== 'string') return [];
    return [{ stage: record.stage, ok: record.ok === true, code: typeof record.code === 'string' ? record.code : undefined, note: typeof record.note === 'string' ? record.note : undefined }];
  });
}

function Fact({ label, value, mono = false }: { label: string; value: string | null; mono?: boolean }) {
  return (
    <div className="prov-fact">
      <dt>{label}</dt>
      <dd>{value === null ? <span className="muted">—</span> : mono ? <code className="selectable">{value}</code> : value}</dd>
    </div>
  );
}

function VerdictView({ verdict }: { verdict: ProvenanceVerdict }) {
  const t = useMessages(provenanceMessages);
  const format = useFormat();
  if (!verdict.verified) {
    return (
      <div className="prov-result prov-result-bad" data-testid="prov-result" data-status="not-verified" role="status">
        <p className="prov-result-title">
          <span aria-hidden="true">✗ </span>
          {t('notVerified')}
        </p>
        <p>{t('reasonIntro')}</p>
        <blockquote className="prov-reason" lang="en" dir="ltr">
          {verdict.reason}
        </blockquote>
        {verdict.id === undefined ? null : (
          <p>
            {t('manifestNamed')} <code className="selectable">{verdict.id}</code>
          </p>
        )}
      </div>
    );
  }
  const manifest = verdict.manifest;
  const time = field(manifest, 'time');
  const jurisdiction = field(manifest, 'jurisdiction');
  const output = typeof manifest.output === 'object' && manifest.output !== null ? (manifest.output as Record<string, unknown>) : {};
  const audit = typeof manifest.audit === 'object' && manifest.audit !== null ? (manifest.audit as Record<string, unknown>) : {};
  const verdicts = verdictsOf(manifest);
  return (
    <div className="prov-result prov-result-good" data-testid="prov-result" data-status="verified" role="status">
      <p className="prov-result-title">
        <span aria-hidden="true">✓ </span>
        {t('verified')}
      </p>
      <dl className="prov-facts">
        <Fact label={t('factId')} value={verdict.id} mono />
        <Fact label={t('factModel')} value={field(manifest, 'model')} />
        <Fact label={t('factBackend')} value={field(manifest, 'backend')} />
        <Fact label={t('factJurisdiction')} value={jurisdiction === null ? null : `${format.region(jurisdiction)} (${jurisdiction})`} />
        <Fact label={t('factTime')} value={time === null ? null : format.dateTime(time)} />
        <Fact label={t('factOperator')} value={field(manifest, 'operator')} />
        <Fact label={t('factTenant')} value={field(manifest, 'tenant')} />
        <Fact label={t('factGenerator')} value={field(manifest, 'generator')} />
        <Fact label={t('factDigest')} value={typeof output.digest === 'string' ? output.digest : null} mono />
        <Fact label={t('factCharacters')} value={typeof output.characters === 'number' ? format.number(output.characters) : null} />
        <Fact label={t('factAuditLeaf')} value={typeof audit.leafIndex === 'number' ? `${String(audit.log ?? '')} #${audit.leafIndex}` : null} mono />
        <Fact label={t('factAiGenerated')} value={manifest.aiGenerated === true ? t('yes') : t('no')} />
      </dl>
      <h2 className="prov-subtitle">{t('verdictsTitle')}</h2>
      {verdicts.length === 0 ? (
        <p className="muted">{t('noVerdicts')}</p>
      ) : (
        <StageTable
          rows={verdicts}
          testId="prov-verdicts"
          labels={{ title: t('verdictsTitle'), stage: t('colStage'), verdict: t('colVerdict'), code: t('colCode'), note: t('colNote'), passed: t('stageOk'), stopped: t('stageStopped') }}
        />
      )}
      <details>
        <summary>{t('rawManifest')}</summary>
        <pre className="prov-raw selectable">{JSON.stringify(manifest, null, 2)}</pre>
      </details>
    </div>
  );
}

function MatchesView({ answer }: { answer: DetectionAnswer }) {
  const t = useMessages(provenanceMessages);
  const format = useFormat();
  const matches = [...answer.matches].sort((a, b) => b.similarity - a.similarity);
  if (matches.length === 0) {
    return (
      <div className="prov-result" data-testid="prov-result" data-status="no-matches" role="status">
        <p className="prov-result-title">{t('noMatches')}</p>
        <p className="muted">{t('noMatchesHint')}</p>
      </div>
    );
  }
  return (
    <div className="prov-result" data-testid="prov-result" data-status="matches" role="status">
      <p className="prov-result-title">{t('matchesFound', { count: format.number(matches.length) })}</p>
      <TableScroll label={t('matchesCaption')}>
        <table className="data-table">
          <caption className="visually-hidden">{t('matchesCaption')}</caption>
          <thead>
            <tr>
              <th scope="col" className="numeric">
                {t('colSimilarity')}
              </th>
              <th scope="col">{t('colId')}</th>
              <th scope="col">{t('colModel')}</th>
              <th scope="col">{t('colJurisdiction')}</th>
              <th scope="col">{t('colTenant')}</th>
              <th scope="col">{t('colTime')}</th>
            </tr>
          </thead>
          <tbody>
            {matches.map((match, position) => (
              <tr key={match.id} data-testid={`prov-match-${position}`}>
                <td className="numeric">
                  <span className="prov-similarity">
                    <span className="prov-similarity-bar" aria-hidden="true">
                      <span style={{ inlineSize: `${Math.max(0, Math.min(1, match.similarity)) * 100}%` }} />
                    </span>
                    {format.percent(match.similarity)}
                  </span>
                </td>
                <th scope="row">
                  <code className="selectable">{match.id}</code>
                </th>
                <td>{match.model ?? <span className="muted">—</span>}</td>
                <td>{match.jurisdiction === null || match.jurisdiction === undefined ? <span className="muted">—</span> : <span title={format.region(match.jurisdiction)}>{match.jurisdiction}</span>}</td>
                <td>{match.tenant ?? <span className="muted">—</span>}</td>
                <td>{match.time === undefined ? <span className="muted">—</span> : <time dateTime={match.time}>{format.dateTime(match.time)}</time>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}

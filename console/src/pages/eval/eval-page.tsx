/**
 * Eval reports: the runs `nara eval run` wrote under `console.evalRunsDir`, one run's scores per
 * task and endpoint with their 95% intervals, and two runs compared pair by pair (is a difference
 * more than chance?).
 */
import { useMemo, useState } from 'react';
import type { EvalComparison, EvalRunDetail, EvalRunSummary } from '../../../../src/spec/console-api.js';
import { useApi } from '../../api/use-api.js';
import { DataView } from '../../components/states.js';
import { TableScroll } from '../../components/table-scroll.js';
import { localeOf, useFormat, useLang, useMessages } from '../../i18n/index.js';
import { DifferenceBar, ScoreBar } from './bars.js';
import { evalMessages } from './messages.js';
import './eval.css';

interface RunList {
  readonly object: 'list';
  readonly data: readonly EvalRunSummary[];
}

export default function EvalPage() {
  const t = useMessages(evalMessages);
  const format = useFormat();
  const runs = useApi<RunList>('/admin/v1/eval/runs');
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [picked, setPicked] = useState<readonly string[]>([]);
  const [comparing, setComparing] = useState<readonly [string, string] | undefined>(undefined);

  const toggle = (id: string, on: boolean) => {
    setPicked((current) => (on ? [...current.filter((other) => other !== id), id].slice(-2) : current.filter((other) => other !== id)));
  };

  return (
    <section data-testid="page-eval" className="page eval-page" aria-labelledby="eval-title">
      <h1 id="eval-title">{t('title')}</h1>
      <p className="page-lead">{t('lead')}</p>

      <DataView state={runs}>
        {(data) =>
          data.data.length === 0 ? (
            <NoRuns />
          ) : (
          <>
            <TableScroll label={t('runsCaption')}>
              <table className="data-table" data-testid="eval-runs">
                <caption className="visually-hidden">{t('runsCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('colCompare')}</th>
                    <th scope="col">{t('colRun')}</th>
                    <th scope="col">{t('colStarted')}</th>
                    <th scope="col">{t('colTasks')}</th>
                    <th scope="col">{t('colEndpoints')}</th>
                    <th scope="col" className="numeric">
                      {t('colInstances')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.map((run) => (
                    <tr key={run.id} data-testid={`eval-run-${run.id}`} className={open === run.id ? 'eval-row-open' : undefined}>
                      <td>
                        <input
                          type="checkbox"
                          data-testid={`eval-pick-${run.id}`}
                          checked={picked.includes(run.id)}
                          aria-label={t('pickRun', { run: run.id })}
                          onChange={(event) => toggle(run.id, event.target.checked)}
                        />
                      </td>
                      <th scope="row">
                        <button type="button" className="link-button" data-testid={`eval-open-${run.id}`} aria-pressed={open === run.id} onClick={() => setOpen(run.id)}>
                          {run.id}
                        </button>
                      </th>
                      <td>{run.startedAt === null ? <span className="muted">—</span> : <time dateTime={run.startedAt}>{format.dateTime(run.startedAt)}</time>}</td>
                      <td>{run.tasks.join(', ')}</td>
                      <td>{run.endpoints.join(', ')}</td>
                      <td className="numeric">{format.number(run.instances)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <div className="eval-compare-bar">
              <button
                type="button"
                className="button"
                data-testid="eval-compare"
                disabled={picked.length !== 2}
                onClick={() => {
                  const [a, b] = picked;
                  if (a !== undefined && b !== undefined) setComparing([a, b]);
                }}
              >
                {t('compare')}
              </button>
              <span className="muted" aria-live="polite">
                {picked.length === 2 ? t('compareReady', { a: picked[0] as string, b: picked[1] as string }) : t('compareHint')}
              </span>
            </div>
          </>
          )
        }
      </DataView>

      {comparing === undefined ? null : <ComparisonView a={comparing[0]} b={comparing[1]} onClose={() => setComparing(undefined)} />}
      {open === undefined ? null : <RunView id={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}

function NoRuns() {
  const t = useMessages(evalMessages);
  return (
    <div className="state state-empty eval-empty" data-testid="eval-empty">
      <p>{t('emptyTitle')}</p>
      <p>{t('emptyHow')}</p>
      <pre className="eval-command" dir="ltr">
        nara eval run --out &lt;console.evalRunsDir&gt;/&lt;name&gt;
      </pre>
      <p className="muted">{t('emptyDir')}</p>
    </div>
  );
}

type Result = EvalRunDetail['results'][number];

/** The metrics nara eval computes (src/eval/task.ts, and "score" for runs that name none). */
const knownMetrics = ['accuracy', 'exact_match', 'regex', 'chrf', 'judge', 'refusal', 'score'] as const;
type KnownMetric = (typeof knownMetrics)[number];

function isKnownMetric(metric: string): metric is KnownMetric {
  return (knownMetrics as readonly string[]).includes(metric);
}

/** A known metric in the reader's language (its id on hover, as task files and reports name it); any other as its id. */
function MetricName({ metric }: { metric: string }) {
  const t = useMessages(evalMessages);
  if (!isKnownMetric(metric)) return <code>{metric}</code>;
  return <span title={metric}>{t(`metric_${metric}`)}</span>;
}

function RunView({ id, onClose }: { id: string; onClose: () => void }) {
  const t = useMessages(evalMessages);
  const run = useApi<EvalRunDetail>(`/admin/v1/eval/runs/${encodeURIComponent(id)}`);
  return (
    <section className="eval-panel panel" data-testid="eval-detail" aria-labelledby="eval-detail-title">
      <div className="panel-head">
        <h2 id="eval-detail-title">{t('runTitle', { run: id })}</h2>
        <button type="button" className="button" onClick={onClose}>
          {t('close')}
        </button>
      </div>
      <DataView state={run} isEmpty={(data) => data.results.length === 0} empty={t('noResults')}>
        {(data) => <RunResults data={data} />}
      </DataView>
    </section>
  );
}

function RunResults({ data }: { data: EvalRunDetail }) {
  const t = useMessages(evalMessages);
  const format = useFormat();
  const byTask = useMemo(() => {
    const groups = new Map<string, Result[]>();
    for (const result of data.results) {
      const list = groups.get(result.task) ?? [];
      list.push(result);
      groups.set(result.task, list);
    }
    return [...groups.entries()];
  }, [data.results]);

  return (
    <>
      <p className="muted">
        {t('runSummary', { instances: format.number(data.instances), tasks: format.number(data.tasks.length), endpoints: format.number(data.endpoints.length) })}
        {data.startedAt === null ? null : ` · ${format.dateTime(data.startedAt)}`}
      </p>
      {byTask.map(([task, results]) => (
        <div key={task} className="eval-task" data-testid={`eval-task-${task}`}>
          <h3>
            <code>{task}</code>
            {results[0]?.language === null || results[0]?.language === undefined ? null : <span className="muted eval-lang"> · {format.language(results[0].language)}</span>}
          </h3>
          <TableScroll label={t('taskCaption', { task })}>
            <table className="data-table eval-table">
              <caption className="visually-hidden">{t('taskCaption', { task })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('colEndpoint')}</th>
                  <th scope="col">{t('colMetric')}</th>
                  <th scope="col" className="numeric">
                    {t('colScore')}
                  </th>
                  <th scope="col" className="numeric">
                    {t('colInterval')}
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">{t('colChart')}</span>
                  </th>
                  <th scope="col" className="numeric">
                    {t('colAnswered')}
                  </th>
                  <th scope="col" className="numeric">
                    {t('colFailed')}
                  </th>
                  <th scope="col" className="numeric">
                    {t('colRefused')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {results.map((result) => (
                  <tr key={`${result.endpoint}:${result.metric}`} data-testid={`eval-result-${task}-${result.endpoint}`}>
                    <th scope="row">{result.endpoint}</th>
                    <td>
                      <MetricName metric={result.metric} />
                    </td>
                    <td className="numeric">{format.percent(result.score)}</td>
                    <td className="numeric">{result.low === null || result.high === null ? <span className="muted">—</span> : t('interval', { low: format.percent(result.low), high: format.percent(result.high) })}</td>
                    <td>
                      <ScoreBar
                        score={result.score}
                        low={result.low}
                        high={result.high}
                        label={result.score === null ? t('noScore') : t('scoreLabel', { score: format.percent(result.score), low: format.percent(result.low), high: format.percent(result.high) })}
                      />
                    </td>
                    <td className="numeric">{format.number(result.answered)}</td>
                    <td className="numeric">{format.number(result.failed)}</td>
                    <td className="numeric">{format.number(result.refused)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </div>
      ))}
    </>
  );
}

function ComparisonView({ a, b, onClose }: { a: string; b: string; onClose: () => void }) {
  const t = useMessages(evalMessages);
  const comparison = useApi<EvalComparison>('/admin/v1/eval/compare', { a, b });
  return (
    <section className="eval-panel panel" data-testid="eval-comparison" aria-labelledby="eval-compare-title">
      <div className="panel-head">
        <h2 id="eval-compare-title">{t('compareTitle', { a, b })}</h2>
        <button type="button" className="button" onClick={onClose}>
          {t('close')}
        </button>
      </div>
      <p className="muted">{t('compareLead', { a, b })}</p>
      <DataView state={comparison} isEmpty={(data) => data.rows.length === 0} empty={t('compareEmpty')}>
        {(data) => <ComparisonTable data={data} />}
      </DataView>
    </section>
  );
}

/** Percentage points with a sign: +3.2. */
function usePoints() {
  const { lang } = useLang();
  return useMemo(() => {
    const number = new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: 1, minimumFractionDigits: 1, signDisplay: 'exceptZero' });
    return (value: number | null) => (value === null || !Number.isFinite(value) ? '—' : number.format(value * 100));
  }, [lang]);
}

function ComparisonTable({ data }: { data: EvalComparison }) {
  const t = useMessages(evalMessages);
  const format = useFormat();
  const points = usePoints();
  // One scale for every row, so that bars compare across tasks.
  const extent = Math.max(0.05, ...data.rows.flatMap((row) => [row.low, row.high, row.difference].map((value) => Math.abs(value ?? 0))));
  const byTask = useMemo(() => {
    const groups = new Map<string, EvalComparison['rows'][number][]>();
    for (const row of data.rows) {
      const list = groups.get(row.task) ?? [];
      list.push(row);
      groups.set(row.task, list);
    }
    return [...groups.entries()];
  }, [data.rows]);
  return (
    <div data-testid="eval-compare-result">
      {byTask.map(([task, rows]) => (
        <div key={task} className="eval-task">
          <h3>
            <code>{task}</code>
          </h3>
          <TableScroll label={t('compareCaption', { task })}>
            <table className="data-table eval-table">
              <caption className="visually-hidden">{t('compareCaption', { task })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('colEndpoint')}</th>
                  <th scope="col">{t('colMetric')}</th>
                  <th scope="col" className="numeric">
                    {t('colScoreOf', { run: data.a })}
                  </th>
                  <th scope="col" className="numeric">
                    {t('colScoreOf', { run: data.b })}
                  </th>
                  <th scope="col" className="numeric">
                    {t('colDifference')}
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">{t('colChart')}</span>
                  </th>
                  <th scope="col">{t('colSignificant')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.endpoint}:${row.metric}`} data-testid={`eval-compare-${row.task}-${row.endpoint}`} data-significant={row.significant}>
                    <th scope="row">{row.endpoint}</th>
                    <td>
                      <MetricName metric={row.metric} />
                    </td>
                    <td className="numeric">{format.percent(row.scoreA)}</td>
                    <td className="numeric">{format.percent(row.scoreB)}</td>
                    <td className="numeric">
                      {t('points', { value: points(row.difference) })}
                      {row.low === null || row.high === null ? null : (
                        <span className="muted eval-interval"> {t('pointsInterval', { low: points(row.low), high: points(row.high) })}</span>
                      )}
                    </td>
                    <td>
                      <DifferenceBar
                        difference={row.difference}
                        low={row.low}
                        high={row.high}
                        extent={extent}
                        significant={row.significant}
                        label={row.difference === null ? t('noScore') : t('differenceLabel', { value: points(row.difference), low: points(row.low), high: points(row.high) })}
                      />
                    </td>
                    <td>
                      {row.significant ? (
                        <span className="eval-badge eval-badge-significant">{t('significant')}</span>
                      ) : (
                        <span className="muted">{t('notSignificant')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        </div>
      ))}
    </div>
  );
}

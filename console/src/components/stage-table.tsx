/**
 * The pipeline's verdicts, one row a stage (stage, passed or stopped, code, note), as the audit
 * event, the provenance manifest and the playground all show them: one table for the three. The
 * labels come from the page, in its words and language.
 */
import { TableScroll } from './table-scroll.js';

/** One stage's verdict as events and manifests carry it. */
export interface StageRow {
  readonly stage: string;
  readonly ok: boolean;
  readonly code?: string | undefined;
  readonly note?: string | undefined;
}

export interface StageTableLabels {
  /** The table's name (its region and, unless `caption` says otherwise, its caption). */
  readonly title: string;
  readonly caption?: string | undefined;
  readonly stage: string;
  readonly verdict: string;
  readonly code: string;
  readonly note: string;
  readonly passed: string;
  readonly stopped: string;
}

export function StageTable({ rows, labels, testId, rowTestIdPrefix, eventIndex }: { rows: readonly StageRow[]; labels: StageTableLabels; testId: string; rowTestIdPrefix?: string; eventIndex?: number }) {
  return (
    <TableScroll label={labels.title}>
      <table className="data-table" data-testid={testId} data-event-index={eventIndex}>
        <caption className="visually-hidden">{labels.caption ?? labels.title}</caption>
        <thead>
          <tr>
            <th scope="col">{labels.stage}</th>
            <th scope="col">{labels.verdict}</th>
            <th scope="col">{labels.code}</th>
            <th scope="col">{labels.note}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, position) => (
            <tr key={`${row.stage}-${position}`} data-testid={rowTestIdPrefix === undefined ? undefined : `${rowTestIdPrefix}${row.stage}`} data-ok={row.ok}>
              <th scope="row">
                <code>{row.stage}</code>
              </th>
              <td className={row.ok ? 'stage-ok' : 'stage-stopped'}>
                <span aria-hidden="true">{row.ok ? '✓ ' : '✗ '}</span>
                {row.ok ? labels.passed : labels.stopped}
              </td>
              <td>{row.code === undefined ? <span className="muted">—</span> : <code>{row.code}</code>}</td>
              <td>{row.note === undefined ? <span className="muted">—</span> : <code>{row.note}</code>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

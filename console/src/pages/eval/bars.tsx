/**
 * Small SVG charts for eval tables: a score on 0–1 with its 95% interval as an error bar, and a
 * difference around zero with its interval. Drawn left to right; a right-to-left page mirrors them
 * (eval.css), so that "more" grows in the reading direction.
 */

const width = 160;
const height = 18;
const pad = 4;

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

export function ScoreBar({ score, low, high, label }: { score: number | null; low: number | null; high: number | null; label: string }) {
  const x = (value: number) => pad + clamp(value, 0, 1) * (width - 2 * pad);
  return (
    <span className="eval-bar">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <rect x={pad} y={5} width={width - 2 * pad} height={height - 10} className="eval-track" />
        {score === null ? null : <rect x={pad} y={5} width={x(score) - pad} height={height - 10} className="eval-fill" />}
        {low === null || high === null ? null : (
          <g className="eval-whisker">
            <line x1={x(low)} x2={x(high)} y1={height / 2} y2={height / 2} />
            <line x1={x(low)} x2={x(low)} y1={3} y2={height - 3} />
            <line x1={x(high)} x2={x(high)} y1={3} y2={height - 3} />
          </g>
        )}
      </svg>
    </span>
  );
}

export function DifferenceBar({
  difference,
  low,
  high,
  extent,
  significant,
  label,
}: {
  difference: number | null;
  low: number | null;
  high: number | null;
  /** The largest absolute value any row shows: the scale's half width. */
  extent: number;
  significant: boolean;
  label: string;
}) {
  const middle = width / 2;
  const x = (value: number) => middle + (clamp(value, -extent, extent) / extent) * (middle - pad);
  return (
    <span className="eval-bar">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <rect x={pad} y={5} width={width - 2 * pad} height={height - 10} className="eval-track" />
        {difference === null ? null : (
          <rect
            x={Math.min(middle, x(difference))}
            y={5}
            width={Math.abs(x(difference) - middle)}
            height={height - 10}
            className={significant ? 'eval-fill' : 'eval-fill eval-fill-faint'}
          />
        )}
        <line x1={middle} x2={middle} y1={1} y2={height - 1} className="eval-zero" />
        {low === null || high === null ? null : (
          <g className="eval-whisker">
            <line x1={x(low)} x2={x(high)} y1={height / 2} y2={height / 2} />
            <line x1={x(low)} x2={x(low)} y1={3} y2={height - 3} />
            <line x1={x(high)} x2={x(high)} y1={3} y2={height - 3} />
          </g>
        )}
      </svg>
    </span>
  );
}

/**
 * A time series chart drawn by uPlot (canvas, no network). The canvas says nothing to a screen reader:
 * every chart carries a written summary (aria-label) and the page shows the same figures in tables.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useMessages } from '../i18n/index.js';
import { componentMessages } from './messages.js';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  readonly dash?: readonly number[] | undefined;
  /** Values in the legend, in the current language. */
  readonly format: (value: number) => string;
  /** Draw every point (for series with gaps, where a lone value has no line to show it). */
  readonly points?: boolean | undefined;
}

export interface TimeChartProps {
  readonly title: string;
  /** What the chart shows, in words: its text alternative. */
  readonly summary: string;
  /** Bucket starts, Unix seconds. */
  readonly times: readonly number[];
  readonly series: readonly ChartSeries[];
  /** A time: on the x axis as a day or a time of day, in the legend in full. */
  readonly formatTime: (seconds: number, style: 'day' | 'time' | 'full') => string;
  readonly formatAxis: (value: number) => string;
  readonly height?: number | undefined;
  readonly testId?: string | undefined;
}

/** The system font stack of the stylesheet: canvas text needs it spelt out. */
const font = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", "Leelawadee UI", Thonburi, "Noto Sans Thai", Tahoma, "Noto Sans Arabic", sans-serif';
const ink = '#3b4252';
const grid = '#e3e6ec';

export function TimeChart({ title, summary, times, series, formatTime, formatAxis, height = 220, testId }: TimeChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const timeLabel = useMessages(componentMessages)('time');

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const span = times.length > 1 ? (times[times.length - 1] ?? 0) - (times[0] ?? 0) : 0;
    // Over more than a day, the axis shows days; within one, times of day.
    const wide = span > 86_400;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height,
      series: [
        { label: timeLabel, value: (_u, value) => (value === null ? '—' : formatTime(value, 'full')) },
        ...series.map((line) => ({
          label: line.label,
          stroke: line.color,
          width: 2,
          dash: line.dash === undefined ? undefined : [...line.dash],
          spanGaps: false,
          points: line.points === true || times.length <= 2 ? { show: true, size: 6 } : {},
          value: (_u: uPlot, value: number | null) => (value === null ? '—' : line.format(value)),
        })),
      ],
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max <= 0 ? 1 : max * 1.1] } },
      axes: [
        { stroke: ink, font, space: 90, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, splits) => splits.map((seconds) => formatTime(seconds, wide ? 'day' : 'time')) },
        // As wide as its longest label ("80 ms", "80 ملي ث", "1.2K"), estimated at 7 px a character.
        { stroke: ink, font, size: (_u, values) => Math.max(40, Math.max(0, ...(values ?? []).map((text) => String(text).length)) * 7 + 14), grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (_u, splits) => splits.map((value) => formatAxis(value)) },
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
    };
    const data: uPlot.AlignedData = [Float64Array.from(times), ...series.map((line) => line.values.map((value) => value))] as uPlot.AlignedData;
    const plot = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 280);
      if (width !== plot.width) plot.setSize({ width, height });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, height, formatTime, formatAxis, timeLabel]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-title">{title}</figcaption>
      {/* Charts read left to right in every language, as time axes do in Arabic publications too. */}
      <div className="chart-canvas" ref={host} role="img" aria-label={summary} dir="ltr" />
    </figure>
  );
}

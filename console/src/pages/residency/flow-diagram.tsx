/**
 * Home jurisdiction → serving jurisdiction, drawn by hand in SVG: one column of homes, one of serving
 * jurisdictions, and a band between them as wide as the requests that took that way. Cross-border
 * bands are drawn in the warning colour and dashed (not colour alone). Requests of a tenant with no
 * home jurisdiction cannot be called either: they are grey and dotted, with their own legend entry.
 * In Arabic the drawing mirrors: homes on the right, read from right to left.
 */
import type { ResidencyAnswer } from '../../../../src/spec/console-api.js';
import { useFormat, useLang, useMessages } from '../../i18n/index.js';
import { isUnknownHome } from './home.js';
import { residencyMessages } from './messages.js';

type Flow = ResidencyAnswer['flows'][number];

interface Node {
  readonly code: string;
  readonly total: number;
  y: number;
  height: number;
  /** Where the next band attaches, from the node's top. */
  cursor: number;
}

const width = 760;
const labelRoom = 190;
const nodeWidth = 14;
const gap = 12;
const minBand = 2;

export const flowColors = { home: '#3b6fd8', cross: '#c2410c', unknown: '#6b7280', node: '#1b1f27' };

type BandKind = 'home' | 'cross' | 'unknown';

function kindOf(flow: Flow): BandKind {
  if (isUnknownHome(flow.from)) return 'unknown';
  return flow.crossBorder ? 'cross' : 'home';
}

const bandStyles: Record<BandKind, { fill: string; fillOpacity: number; stroke: string; strokeDasharray: string | undefined; strokeWidth: number }> = {
  home: { fill: flowColors.home, fillOpacity: 0.35, stroke: 'none', strokeDasharray: undefined, strokeWidth: 0 },
  cross: { fill: flowColors.cross, fillOpacity: 0.55, stroke: flowColors.cross, strokeDasharray: '5 3', strokeWidth: 1.2 },
  unknown: { fill: flowColors.unknown, fillOpacity: 0.3, stroke: flowColors.unknown, strokeDasharray: '1.5 2.5', strokeWidth: 1.2 },
};

function columns(flows: readonly Flow[], side: 'from' | 'to'): Map<string, Node> {
  const totals = new Map<string, number>();
  for (const flow of flows) totals.set(flow[side], (totals.get(flow[side]) ?? 0) + flow.requests);
  const sorted = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return new Map(sorted.map(([code, total]) => [code, { code, total, y: 0, height: 0, cursor: 0 }]));
}

export function FlowDiagram({ flows, requests, crossBorder }: { flows: readonly Flow[]; requests: number; crossBorder: number }) {
  const t = useMessages(residencyMessages);
  const format = useFormat();
  const { dir } = useLang();
  const homes = columns(flows, 'from');
  const served = columns(flows, 'to');
  const total = flows.reduce((sum, flow) => sum + flow.requests, 0);
  const rows = Math.max(homes.size, served.size, 1);
  const height = Math.max(180, rows * 44);
  // One scale for both columns, so that a band is as wide at both ends.
  const usable = height - gap * (rows - 1);
  const scale = total === 0 ? 0 : usable / total;

  for (const column of [homes, served]) {
    let y = 0;
    for (const node of column.values()) {
      node.height = Math.max(minBand, node.total * scale);
      node.y = y;
      y += node.height + gap;
    }
  }
  const drawnHeight = Math.max(...[...homes.values(), ...served.values()].map((node) => node.y + node.height), 1);

  // x in left-to-right terms, mirrored for right-to-left.
  const mirror = (x: number) => (dir === 'rtl' ? width - x : x);
  const homeX = labelRoom;
  const servedX = width - labelRoom - nodeWidth;
  const name = (code: string) => (isUnknownHome(code) ? t('noHome') : `${format.region(code)} (${code})`);

  // Bands in a stable order: largest first within each node, so the drawing does not tangle needlessly.
  const ordered = [...flows].sort((a, b) => b.requests - a.requests);
  const bands = ordered.map((flow) => {
    const source = homes.get(flow.from);
    const target = served.get(flow.to);
    if (source === undefined || target === undefined) return null;
    const thickness = Math.max(1, flow.requests * scale);
    const y0 = source.y + source.cursor;
    const y1 = target.y + target.cursor;
    source.cursor += thickness;
    target.cursor += thickness;
    const x0 = mirror(homeX + nodeWidth);
    const x1 = mirror(servedX);
    const mid = (x0 + x1) / 2;
    const d = `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1} L${x1},${y1 + thickness} C${mid},${y1 + thickness} ${mid},${y0 + thickness} ${x0},${y0 + thickness} Z`;
    const kind = kindOf(flow);
    const label = t(kind === 'unknown' ? 'flowEdgeNoHome' : kind === 'cross' ? 'flowEdgeCross' : 'flowEdge', { from: name(flow.from), to: name(flow.to), requests: format.number(flow.requests) });
    return { key: `${flow.from}>${flow.to}`, d, kind, label };
  });
  const kinds = new Set(bands.map((band) => band?.kind));

  const summary = t('flowSummary', { count: format.number(flows.length), requests: format.number(requests), crossBorder: format.number(crossBorder) });
  const node = (item: Node, x: number, side: 'home' | 'served') => {
    const left = mirror(x) - (dir === 'rtl' ? nodeWidth : 0);
    // Labels sit outside the columns: before the homes, after the serving jurisdictions.
    const labelX = side === 'home' ? mirror(x - 8) : mirror(x + nodeWidth + 8);
    return (
      <g key={`${side}:${item.code}`}>
        <rect x={left} y={item.y} width={nodeWidth} height={item.height} fill={flowColors.node} rx={2} />
        <text x={labelX} y={item.y + item.height / 2} dominantBaseline="middle" textAnchor={side === 'home' ? 'end' : 'start'} fontSize={13} fill={flowColors.node}>
          {name(item.code)}
          <tspan fill="#4b5563"> · {format.compact(item.total)}</tspan>
        </text>
      </g>
    );
  };

  return (
    <figure className="flow" data-testid="residency-flow">
      <figcaption className="chart-title">{t('flowTitle')}</figcaption>
      <svg viewBox={`0 -4 ${width} ${drawnHeight + 8}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMin meet">
        <title>{summary}</title>
        <g>
          {bands.map((band) =>
            band === null ? null : (
              <path key={band.key} d={band.d} {...bandStyles[band.kind]}>
                <title>{band.label}</title>
              </path>
            ),
          )}
        </g>
        {[...homes.values()].map((item) => node(item, homeX, 'home'))}
        {[...served.values()].map((item) => node(item, servedX, 'served'))}
      </svg>
      <div className="flow-legend" aria-hidden="true">
        <span>
          <span className="swatch" style={{ background: flowColors.home, opacity: 0.6 }} />
          {t('legendHome')}
        </span>
        <span>
          <span className="swatch" style={{ background: flowColors.cross, outline: `1px dashed ${flowColors.cross}` }} />
          {t('legendCross')}
        </span>
        {kinds.has('unknown') ? (
          <span data-testid="residency-legend-no-home">
            <span className="swatch" style={{ background: flowColors.unknown, opacity: 0.5, outline: `1px dotted ${flowColors.unknown}` }} />
            {t('noHome')}
          </span>
        ) : null}
        <span className="muted">
          {t('home')} <span className="flip">→</span> {t('served')}
        </span>
      </div>
    </figure>
  );
}

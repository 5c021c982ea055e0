/**
 * The `nara eval --html` report: one standalone file that opens offline and can be mailed around.
 * No CDN, fonts or libraries: inline CSS, SVG charts drawn here, and a few lines of inline script
 * that only filter and page the missed-instances table, which stays whole and readable with scripts
 * off. Every string from a run is escaped: prompts and answers are untrusted text, and benchmark
 * sets do hold `<`, `&`, quotes and right-to-left scripts.
 */
import { choiceLabel } from '../eval/extract.js';
import { percent } from './report.js';
import type { Interval } from '../eval/statistics.js';
import type { GroupScore } from '../eval/summary.js';
import type { RunReport } from './report.js';
import type { InstanceRecord } from './run-store.js';
import type { PairResult } from './runner.js';
import type { TokenTaxReport } from './token-tax.js';

export interface EvalHtmlInput {
  readonly title: string;
  readonly generatedAt: string;
  readonly report: RunReport;
  readonly tokenTax?: TokenTaxReport | undefined;
  /** Failed or wrong instances, in the order to list them. */
  readonly misses: readonly InstanceRecord[];
  /** The run's run.json, shown as JSON for reproducibility. */
  readonly manifest?: unknown;
}

const dash = '—';
/** Rows of the misses table: beyond this the file gets too heavy to open; records.jsonl has them all. */
const maxMissRows = 5000;
/** Skipped records listed per task; the JSON report has them all. */
const maxProblemRows = 200;
const missesPerPage = 50;
const series = 8;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}

/** Cut by code points, so no astral character or surrogate pair is split in half. */
function clip(text: string, max: number): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max).join('')}…`;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : dash;
}

function interval({ low, high }: Interval): string {
  return Number.isFinite(low) && Number.isFinite(high) ? `${percent(low)}–${percent(high)}` : dash;
}

/** Points (0–100 scale) with a sign, rounded first so that −0.04 does not print as "−0.0". */
function signedPoints(value: number): string {
  if (!Number.isFinite(value)) return dash;
  const rounded = Math.round(value * 1000) / 10;
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded).toFixed(1)}`;
}

/** FLORES codes (tha_Thai) become BCP 47 (tha-Thai); anything else unrecognisable gets no lang. */
function langAttribute(language: string): string {
  const tag = language.replace(/_/g, '-');
  return /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(tag) ? ` lang="${escapeHtml(tag)}"` : '';
}

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly interval?: Interval | undefined;
  readonly className: string;
  readonly text: string;
}

interface BarGroup {
  readonly label?: string | undefined;
  readonly bars: readonly Bar[];
}

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  readonly format: (value: number) => string;
  /** A reference line drawn darker: zero difference, or the reference language's ratio 1. */
  readonly marker?: number | undefined;
}

const accuracyAxis: Axis = { min: 0, max: 1, ticks: [0, 0.25, 0.5, 0.75, 1], format: (value) => `${value * 100}%` };

/**
 * Horizontal bars from the axis's zero (or its nearest end) to each value, with the 95% interval as
 * an error bar. A value that is not a number draws nothing and reads "—", never a bar at 0.
 */
function barChart(groups: readonly BarGroup[], axis: Axis, caption: string): string {
  const labelWidth = 230;
  const plotWidth = 420;
  const width = labelWidth + plotWidth + 190;
  const barHeight = 15;
  const rowHeight = 19;
  const top = 8;
  const span = axis.max - axis.min;
  const clamp = (value: number) => Math.min(axis.max, Math.max(axis.min, value));
  const xOf = (value: number) => labelWidth + ((clamp(value) - axis.min) / span) * plotWidth;
  const baseline = xOf(0);
  const rows: string[] = [];
  let y = top;
  for (const group of groups) {
    if (group.label !== undefined) {
      rows.push(`<text x="4" y="${y + 13}" class="group">${escapeHtml(clip(group.label, 70))}</text>`);
      y += rowHeight;
    }
    for (const bar of group.bars) {
      const parts = [`<title>${escapeHtml(`${group.label === undefined ? '' : `${group.label} · `}${bar.label}: ${bar.text}`)}</title>`];
      parts.push(`<text x="${labelWidth - 8}" y="${y + barHeight - 3}" text-anchor="end">${escapeHtml(clip(bar.label, 32))}</text>`);
      let right = baseline;
      if (Number.isFinite(bar.value)) {
        const end = xOf(bar.value);
        parts.push(`<rect x="${Math.min(baseline, end).toFixed(1)}" y="${y}" width="${Math.max(Math.abs(end - baseline), 1).toFixed(1)}" height="${barHeight}" class="${bar.className}"/>`);
        right = Math.max(right, end);
      }
      const range = bar.interval;
      if (range !== undefined && Number.isFinite(range.low) && Number.isFinite(range.high)) {
        const [low, high, middle] = [xOf(range.low).toFixed(1), xOf(range.high).toFixed(1), y + barHeight / 2];
        parts.push(`<path d="M${low} ${middle}H${high}M${low} ${y + 3}V${y + barHeight - 3}M${high} ${y + 3}V${y + barHeight - 3}" class="whisker"/>`);
        right = Math.max(right, xOf(range.high));
      }
      parts.push(`<text x="${(right + 6).toFixed(1)}" y="${y + barHeight - 3}" class="value">${escapeHtml(bar.text)}</text>`);
      rows.push(`<g>${parts.join('')}</g>`);
      y += rowHeight;
    }
    y += 6;
  }
  const bottom = y;
  const grid = axis.ticks.map((tick) => {
    const x = xOf(tick).toFixed(1);
    return `<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${bottom}" class="grid"/><text x="${x}" y="${bottom + 14}" text-anchor="middle" class="tick">${escapeHtml(axis.format(tick))}</text>`;
  });
  if (axis.marker !== undefined) grid.push(`<line x1="${xOf(axis.marker).toFixed(1)}" y1="${top - 4}" x2="${xOf(axis.marker).toFixed(1)}" y2="${bottom}" class="marker"/>`);
  const height = bottom + 22;
  // No xmlns: inline SVG in HTML needs none, and the page then names no http URL at all.
  return `<svg role="img" aria-label="${escapeHtml(caption)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${grid.join('')}${rows.join('')}</svg>`;
}

/** Endpoints keep one colour in every chart, in the order they first appear. */
function seriesClasses(names: readonly string[]): Map<string, string> {
  const classes = new Map<string, string>();
  for (const name of names) if (!classes.has(name)) classes.set(name, `s${classes.size % series}`);
  return classes;
}

function legend(classes: ReadonlyMap<string, string>): string {
  return `<p class="legend">${[...classes].map(([name, className]) => `<span class="swatch ${className}"></span><span dir="auto">${escapeHtml(name)}</span>`).join(' ')}</p>`;
}

const empty = (message: string) => `<p class="empty">${escapeHtml(message)}</p>`;
const unique = (values: readonly string[]) => [...new Set(values)];

function accuracyBar(endpoint: string, score: GroupScore, classes: ReadonlyMap<string, string>): Bar {
  const text = Number.isFinite(score.score) ? `${percent(score.score)}% (${interval(score.interval)}), n=${score.instances}` : `${dash} (n=${score.instances})`;
  return { label: endpoint, value: score.score, interval: score.interval, className: classes.get(endpoint) ?? 's0', text };
}

/** Groups per task, bars per endpoint, for the pairs `pick` gives a score. */
function taskGroups(pairs: readonly PairResult[], pick: (pair: PairResult) => GroupScore | undefined, classes: ReadonlyMap<string, string>): BarGroup[] {
  return unique(pairs.map((pair) => pair.task))
    .map((task) => ({
      label: task,
      bars: pairs.flatMap((pair) => {
        const score = pair.task === task ? pick(pair) : undefined;
        return score === undefined ? [] : [accuracyBar(pair.endpoint, score, classes)];
      }),
    }))
    .filter((group) => group.bars.length > 0);
}

const numCell = (value: number | string) => `<td class="num">${escapeHtml(String(value))}</td>`;
const textCell = (value: string) => `<td dir="auto">${escapeHtml(value)}</td>`;

function summarySection(report: RunReport): string {
  if (report.pairs.length === 0) return empty('No results: this run has no task × endpoint pairs.');
  const rows = report.pairs.map(({ task, language, endpoint, summary, refused, latencyMs, metric, otherMetrics }) =>
    [
      textCell(task),
      `<td>${escapeHtml(language)}</td>`,
      textCell(endpoint),
      numCell(summary.instances),
      numCell(`${percent(summary.micro.score)} (${interval(summary.micro.interval)})`),
      numCell(fixed(summary.micro.normalized, 1)),
      numCell(percent(summary.macro)),
      numCell(summary.failed),
      numCell(refused),
      numCell(summary.unreadable),
      numCell(fixed(latencyMs.p50, 0)),
      // The task's other metrics (acc_norm beside acc) each under its own name.
      textCell([metric ?? 'accuracy', ...(otherMetrics ?? []).map((group) => `${group.name} ${percent(group.score)} (${interval(group.interval)})`)].join('; ')),
    ].join(''),
  );
  const head = ['Task', 'Language', 'Endpoint', 'n', 'Score % (95% CI)', 'Normalised', 'Macro %', 'Failed', 'Refused', 'Unreadable', 'p50 ms', 'Metric'];
  return `<table><thead><tr>${head.map((title, column) => `<th${column >= 3 ? ' class="num"' : ''}>${title}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${row}</tr>`).join('')}</tbody></table>
<p class="note">Normalised: how far above chance, as a share of the way from chance to perfect (0–100). Macro: mean over subjects. Failed instances (no answer after retries) are left out of the scores; unreadable answers and refusals score 0.</p>`;
}

function languageSection(pairs: readonly PairResult[], classes: ReadonlyMap<string, string>): string {
  if (pairs.length === 0) return empty('No results to chart.');
  return unique(pairs.map((pair) => pair.language))
    .map((language) => {
      const groups = taskGroups(
        pairs.filter((pair) => pair.language === language),
        (pair) => pair.summary.micro,
        classes,
      );
      return `<h3><span${langAttribute(language)}>${escapeHtml(language)}</span></h3>${barChart(groups, accuracyAxis, `Accuracy per endpoint, ${language}`)}`;
    })
    .join('\n');
}

function competencySection(pairs: readonly PairResult[], classes: ReadonlyMap<string, string>): string {
  const competencies = unique(pairs.flatMap((pair) => pair.summary.byCompetency.map((group) => group.name)));
  if (competencies.length === 0) return empty('No competency scores in this run.');
  return competencies
    .map((competency) => {
      const groups = taskGroups(pairs, (pair) => pair.summary.byCompetency.find((group) => group.name === competency), classes);
      return `<h3 dir="auto">${escapeHtml(competency)}</h3>${barChart(groups, accuracyAxis, `Accuracy per endpoint, competency ${competency}`)}`;
    })
    .join('\n');
}

function comparisonSection(report: RunReport): string {
  const { comparisons } = report;
  if (comparisons.length === 0) return empty('No comparisons: the run has a single endpoint, or the endpoints share no answered instance.');
  const extent = Math.max(0, ...comparisons.flatMap(({ result }) => [result.difference, result.interval.low, result.interval.high].filter(Number.isFinite).map(Math.abs)));
  // Round the half-width up to 5 points so ticks land on readable values.
  const half = Math.min(1, Math.max(0.05, Math.ceil(extent / 0.05) * 0.05));
  const axis: Axis = { min: -half, max: half, ticks: [-half, -half / 2, 0, half / 2, half], format: (value) => signedPoints(value), marker: 0 };
  const bars = comparisons.map(({ task, a, b, result }) => ({
    label: `${task}: ${a} − ${b}`,
    value: result.difference,
    interval: result.interval,
    className: result.significant ? 'sig' : 'ns',
    text: `${signedPoints(result.difference)} pts · ${result.significant ? 'significant' : 'not significant'}`,
  }));
  const rows = comparisons.map(
    ({ task, a, b, result }) =>
      `<tr>${textCell(task)}${textCell(a)}${textCell(b)}${numCell(result.instances)}${numCell(signedPoints(result.difference))}${numCell(`${signedPoints(result.interval.low)} to ${signedPoints(result.interval.high)}`)}${numCell(fixed(result.pValue, 3))}<td class="${result.significant ? 'verdict-sig' : 'verdict-ns'}">${result.significant ? 'significant' : 'not significant'}</td></tr>`,
  );
  return `${barChart([{ bars }], axis, 'Paired differences in accuracy with 95% intervals')}
<p class="note">A − B in accuracy points on the instances both answered (paired bootstrap, 95%). Significant when the interval leaves out zero.</p>
<table><thead><tr><th>Task</th><th>A</th><th>B</th><th class="num">Shared n</th><th class="num">A − B (pts)</th><th class="num">95% interval</th><th class="num">p</th><th>Verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function tokenTaxSection(tax: TokenTaxReport): string {
  const tokenizers = seriesClasses(tax.tokenizers.map((table) => table.tokenizer));
  const languages = unique(tax.tokenizers.flatMap((table) => table.rows.map((row) => row.language)));
  const groups = languages.map((language) => ({
    label: language,
    bars: tax.tokenizers.flatMap((table) => {
      const row = table.rows.find((candidate) => candidate.language === language);
      return row === undefined ? [] : [{ label: table.tokenizer, value: row.ratioToReference, className: tokenizers.get(table.tokenizer) ?? 's0', text: `${fixed(row.ratioToReference, 2)}×` }];
    }),
  }));
  const largest = Math.max(1, ...tax.tokenizers.flatMap((table) => table.rows.map((row) => row.ratioToReference)).filter(Number.isFinite));
  const max = Math.max(1.5, Math.ceil(largest * 2) / 2);
  const axis: Axis = { min: 0, max, ticks: [0, max / 4, max / 2, (3 * max) / 4, max], format: (value) => `${Number(value.toFixed(2))}×`, marker: 1 };
  return `<p>Tokens for the same ${tax.sentences} parallel sentences, relative to <b>${escapeHtml(tax.reference)}</b> (1× = as costly as the reference).</p>
${legend(tokenizers)}${barChart(groups, axis, `Token ratio to ${tax.reference} per language and tokenizer`)}`;
}

function choice(index: number | null): string {
  if (index === null) return dash;
  return choiceLabel(index);
}

function expandable(value: string, max: number): string {
  const short = clip(value, max);
  return short === value ? escapeHtml(value) : `<details><summary>${escapeHtml(short)}</summary><div class="full">${escapeHtml(value)}</div></details>`;
}

function whatWentWrong(record: InstanceRecord): string {
  if (record.error?.startsWith('refused:') === true) return `refused (${record.error.slice('refused:'.length)})`;
  if (record.error !== null) return record.error;
  return record.method === 'none' || record.method === 'ambiguous' ? 'unreadable answer' : 'wrong answer';
}

function missRow(record: InstanceRecord): string {
  const lang = langAttribute(record.language);
  const right = record.answer !== null || record.references === undefined ? escapeHtml(choice(record.answer)) : expandable(record.references.join(' | '), 80);
  return `<tr class="miss">${textCell(record.task)}${textCell(record.endpoint)}<td dir="auto" class="mono">${escapeHtml(record.id)}</td><td>${escapeHtml(record.language)}</td><td dir="auto"${lang} class="long">${expandable(record.prompt, 160)}</td><td dir="auto"${lang} class="long">${record.raw === null ? dash : expandable(record.raw, 120)}</td><td dir="auto"><b>${escapeHtml(choice(record.picked))}</b> vs ${right}</td>${textCell(whatWentWrong(record))}</tr>`;
}

/** Pages and filters the misses table; without it every row is simply shown. Hidden rows use the `hidden` attribute. */
const missScript = `(() => {
const table = document.getElementById('misses'), tools = document.getElementById('miss-tools');
if (!table || !tools) return;
const rows = Array.from(table.tBodies[0].rows), texts = rows.map((row) => row.textContent.toLowerCase());
const filter = document.getElementById('miss-filter'), info = document.getElementById('miss-page');
const prev = document.getElementById('miss-prev'), next = document.getElementById('miss-next');
const size = ${missesPerPage};
let shown = rows.map((_, index) => index), page = 0;
const draw = () => {
  const pages = Math.max(1, Math.ceil(shown.length / size));
  page = Math.min(page, pages - 1);
  const visible = new Set(shown.slice(page * size, (page + 1) * size));
  rows.forEach((row, index) => { row.hidden = !visible.has(index); });
  info.textContent = 'page ' + (page + 1) + ' of ' + pages + ' (' + shown.length + ' rows)';
  prev.disabled = page === 0;
  next.disabled = page >= pages - 1;
};
filter.addEventListener('input', () => {
  const query = filter.value.trim().toLowerCase();
  shown = rows.map((_, index) => index).filter((index) => texts[index].includes(query));
  page = 0;
  draw();
});
prev.addEventListener('click', () => { page -= 1; draw(); });
next.addEventListener('click', () => { page += 1; draw(); });
tools.hidden = false;
draw();
})();`;

function missesSection(misses: readonly InstanceRecord[]): string {
  if (misses.length === 0) return empty('No missed instances.');
  const more = misses.length > maxMissRows ? `<p class="note">The first ${maxMissRows} of ${misses.length} are listed; records.jsonl in the run folder has them all.</p>` : '';
  return `<p class="note">${misses.length} instance(s) answered wrongly, unreadably, refused or failed.</p>${more}
<div id="miss-tools" class="tools" hidden><label>Filter <input id="miss-filter" type="search" placeholder="task, id, prompt, answer…"></label> <button type="button" id="miss-prev">Previous</button> <span id="miss-page" aria-live="polite"></span> <button type="button" id="miss-next">Next</button></div>
<table id="misses"><thead><tr><th>Task</th><th>Endpoint</th><th>Id</th><th>Language</th><th>Prompt</th><th>Raw answer</th><th>Picked vs right</th><th>Error</th></tr></thead><tbody>
${misses.slice(0, maxMissRows).map(missRow).join('\n')}
</tbody></table><script>${missScript}</script>`;
}

function problemsSection(report: RunReport): string {
  const tasks = Object.entries(report.problems).filter(([, problems]) => problems.length > 0);
  if (tasks.length === 0) return empty('No records were skipped.');
  return tasks
    .map(([task, problems]) => {
      const rows = problems.slice(0, maxProblemRows).map((problem) => `<tr>${numCell(problem.line)}<td dir="auto" class="mono">${escapeHtml(problem.id ?? dash)}</td>${textCell(problem.message)}</tr>`);
      const more = problems.length > maxProblemRows ? `<p class="note">…and ${problems.length - maxProblemRows} more (see the JSON report).</p>` : '';
      return `<h3 dir="auto">${escapeHtml(task)}: ${problems.length} record(s) skipped</h3><table><thead><tr><th class="num">Line</th><th>Id</th><th>Problem</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
    })
    .join('\n');
}

function manifestSection(manifest: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(manifest, null, 2);
  } catch {
    // A manifest that cannot be serialised (a cycle, a BigInt) is left out rather than failing the report.
    json = undefined;
  }
  return json === undefined ? '' : `<h2>Manifest</h2><details><summary>run.json: tasks, data hashes, endpoints and settings</summary><pre>${escapeHtml(json)}</pre></details>`;
}

// Text colours reach at least 4.5:1 on white, bar colours at least 3:1.
const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#fff;margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d5d9e2;padding-bottom:.3rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
.meta,.note{color:#505868}.empty{color:#505868;font-style:italic}.warn{background:#fff4d6;border:1px solid #b57d00;padding:.5rem .8rem;border-radius:4px}
.mono,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}pre{white-space:pre-wrap;background:#f5f6f9;padding:.6rem;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #e3e6ee;padding:.3rem .5rem;text-align:start;vertical-align:top}
th{background:#f5f6f9}td.num,th.num{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}
td.long{white-space:pre-wrap;word-break:break-word;max-width:28rem}details .full{margin-top:.3rem;border-top:1px dashed #c9ceda;padding-top:.3rem}summary{cursor:pointer}
.tools{margin:.5rem 0;display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}.tools input{font:inherit;padding:.2rem .4rem;min-width:18rem}.tools button{font:inherit}
.verdict-sig{color:#17603d;font-weight:600}.verdict-ns{color:#505868}
svg{max-width:100%;height:auto;display:block}svg text{font:12px system-ui,sans-serif;fill:#1d2330}svg .tick{fill:#505868;font-size:11px}svg .group{font-weight:600}
svg .grid{stroke:#e3e6ee}svg .marker{stroke:#1d2330;stroke-width:1.5;stroke-dasharray:4 3}svg .whisker{stroke:#1d2330;stroke-width:1.5;fill:none}
.legend .swatch{display:inline-block;width:10px;height:10px;margin:0 .3rem 0 .8rem}
.s0{fill:#2b5fb4;background:#2b5fb4}.s1{fill:#c0501a;background:#c0501a}.s2{fill:#1e7d4f;background:#1e7d4f}.s3{fill:#8a3ea0;background:#8a3ea0}
.s4{fill:#a26a00;background:#a26a00}.s5{fill:#0f7b8a;background:#0f7b8a}.s6{fill:#b03060;background:#b03060}.s7{fill:#555e6e;background:#555e6e}
.sig{fill:#1e7d4f}.ns{fill:#8b93a1}
`;

export function renderEvalHtml(input: EvalHtmlInput): string {
  const { report } = input;
  const classes = seriesClasses(report.pairs.map((pair) => pair.endpoint));
  const interrupted = report.interrupted ? '<p class="warn">Interrupted: these results are partial. Run the same command with --resume to finish.</p>' : '';
  const tokenTax = input.tokenTax === undefined ? '' : `<section id="token-tax"><h2>Token tax</h2>${tokenTaxSection(input.tokenTax)}</section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(input.title)}</title><style>${css}</style></head>
<body>
<h1 dir="auto">${escapeHtml(input.title)}</h1>
<p class="meta">Generated ${escapeHtml(input.generatedAt)} · ${report.pairs.length} task × endpoint pair(s) · ${input.misses.length} missed instance(s)</p>
${interrupted}
<section id="summary"><h2>Summary</h2>${summarySection(report)}</section>
<section id="by-language"><h2>Accuracy per language</h2>${report.pairs.length === 0 ? '' : legend(classes)}${languageSection(report.pairs, classes)}</section>
<section id="by-competency"><h2>Accuracy per competency</h2>${competencySection(report.pairs, classes)}</section>
<section id="comparisons"><h2>Model comparison</h2>${comparisonSection(report)}</section>
${tokenTax}
<section id="misses-section"><h2>Missed instances</h2>${missesSection(input.misses)}</section>
<section id="problems"><h2>Records skipped</h2>${problemsSection(report)}</section>
${input.manifest === undefined ? '' : manifestSection(input.manifest)}
</body></html>
`;
}

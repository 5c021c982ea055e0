/**
 * The `nara safety eval --html` report: one standalone file that opens offline and can be mailed to
 * an auditor. No scripts, fonts or stylesheets from anywhere (inline CSS, inline SVG drawn here), and
 * every piece of prompt text escaped: a red-team prompt set is exactly where `<script>` turns up.
 */
import { formatMs, formatRate, hazardLabels, type Miss, type SafetyEvalSummary } from './safety-eval-stats.js';

export interface ReportContext {
  readonly url: string;
  readonly model: string;
  readonly files: readonly string[];
  readonly generatedAt: Date;
}

const maxPromptChars = 200;
/** Rows of each miss table; the JSON output has them all. */
const maxMissRows = 200;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);
}

/** Cut by code points, not UTF-16 units, so no emoji or astral Han character is split in half. */
export function truncate(text: string, max = maxPromptChars): string {
  const points = Array.from(text);
  return points.length <= max ? text : `${points.slice(0, max).join('')}…`;
}

interface Bar {
  readonly value: number | null;
  readonly className: string;
  readonly title: string;
}

interface BarGroup {
  readonly label: string;
  readonly bars: readonly Bar[];
}

/**
 * Horizontal bars from 0 to 100 %, one row per group and one bar per value in it. A null value (no
 * verdicts) draws no bar and says "n/a", so it cannot be mistaken for 0 %.
 */
export function barChart(groups: readonly BarGroup[], caption: string): string {
  const labelWidth = 290;
  const plotWidth = 420;
  const barHeight = 14;
  const barGap = 3;
  const groupGap = 10;
  const top = 8;
  const barsPerGroup = Math.max(1, ...groups.map((group) => group.bars.length));
  const groupHeight = barsPerGroup * (barHeight + barGap) - barGap;
  const height = top + groups.length * (groupHeight + groupGap) + 22;
  const width = labelWidth + plotWidth + 70;
  const parts: string[] = [];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = labelWidth + tick * plotWidth;
    parts.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 18}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${height - 4}" text-anchor="middle" class="tick">${tick * 100}%</text>`);
  }
  groups.forEach((group, groupIndex) => {
    const y0 = top + groupIndex * (groupHeight + groupGap);
    parts.push(`<text x="${labelWidth - 8}" y="${y0 + groupHeight / 2 + 4}" text-anchor="end" class="label">${escapeHtml(group.label)}</text>`);
    group.bars.forEach((bar, barIndex) => {
      const y = y0 + barIndex * (barHeight + barGap);
      const text = bar.value === null ? 'n/a' : formatRate(bar.value);
      const barWidth = bar.value === null ? 0 : Math.max(bar.value * plotWidth, bar.value > 0 ? 1 : 0);
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" class="${bar.className}"><title>${escapeHtml(`${group.label} ${bar.title}: ${text}`)}</title></rect>`,
      );
      parts.push(`<text x="${(labelWidth + barWidth + 4).toFixed(1)}" y="${y + barHeight - 3}" class="value">${text}</text>`);
    });
  });
  // No xmlns: inline SVG in HTML does not need one, and the report then holds no http URL at all.
  return `<svg role="img" aria-label="${escapeHtml(caption)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

function hazardLabel(hazard: string): string {
  const name = hazardLabels[hazard];
  return name === undefined ? hazard : `${hazard} · ${name}`;
}

function missTable(misses: readonly Miss[], empty: string, withBlock: boolean): string {
  if (misses.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  const rows = misses.slice(0, maxMissRows).map((miss) => {
    const block = withBlock ? `<td>${escapeHtml([miss.category, miss.where, miss.blockKind].filter((part) => part !== undefined).join(' · '))}</td>` : '';
    return `<tr><td class="mono">${escapeHtml(`${miss.file}:${miss.line}`)}</td><td>${escapeHtml(miss.language)}</td><td>${escapeHtml(miss.hazard)}</td>${block}<td class="prompt">${escapeHtml(truncate(miss.prompt))}</td></tr>`;
  });
  const more = misses.length > maxMissRows ? `<p class="muted">…and ${misses.length - maxMissRows} more (see --json).</p>` : '';
  return `<table><thead><tr><th>Source</th><th>Lang</th><th>Hazard</th>${withBlock ? '<th>Blocked as</th>' : ''}<th>Prompt</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function card(label: string, value: string, note = ''): string {
  return `<div class="card"><div class="card-value">${escapeHtml(value)}</div><div class="card-label">${escapeHtml(label)}</div>${note === '' ? '' : `<div class="card-note">${escapeHtml(note)}</div>`}</div>`;
}

const css = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;margin:2rem auto;max-width:1000px;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.3rem}
.muted{color:#667}.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:.8rem}.card{border:1px solid #dde;border-radius:6px;padding:.6rem .9rem;min-width:140px}
.card-value{font-size:1.4rem;font-weight:600}.card-label{color:#556}.card-note{color:#889;font-size:12px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border-bottom:1px solid #eef;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.num,th.num{text-align:right}td.prompt{white-space:pre-wrap;word-break:break-word}
svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#1d2330}svg .tick{fill:#889;font-size:11px}svg .grid{stroke:#e4e6ee}
.bar-block{fill:#2f6fdb}.bar-refusal{fill:#e0673a}.legend span{display:inline-block;width:10px;height:10px;margin:0 .3rem 0 1rem}.swatch-block{background:#2f6fdb}.swatch-refusal{background:#e0673a}
`;

export function renderHtmlReport(summary: SafetyEvalSummary, context: ReportContext): string {
  const { totals } = summary;
  const hazardChart = barChart(
    summary.byHazard.map((row) => ({ label: hazardLabel(row.hazard), bars: [{ value: row.blockRate, className: 'bar-block', title: 'block rate' }] })),
    'Block rate of harmful prompts per hazard',
  );
  const languageChart = barChart(
    summary.byLanguage.map((row) => ({
      label: row.language,
      bars: [
        { value: row.harmful.blockRate, className: 'bar-block', title: 'block rate (harmful)' },
        { value: row.benign.falseRefusalRate, className: 'bar-refusal', title: 'false refusals (benign)' },
      ],
    })),
    'Block rate and false-refusal rate per language',
  );
  const hazardRows = summary.byHazard
    .map(
      (row) =>
        `<tr><td>${escapeHtml(hazardLabel(row.hazard))}</td><td class="num">${row.prompts}</td><td class="num">${row.blocked}</td><td class="num">${row.answered}</td><td class="num">${row.flagged}</td><td class="num">${row.errors}</td><td class="num">${formatRate(row.blockRate)}</td></tr>`,
    )
    .join('');
  const languageRows = summary.byLanguage
    .map(
      (row) =>
        `<tr><td>${escapeHtml(row.language)}</td><td class="num">${row.harmful.prompts}</td><td class="num">${formatRate(row.harmful.blockRate)}</td><td class="num">${row.benign.prompts}</td><td class="num">${row.benign.refused}</td><td class="num">${formatRate(row.benign.falseRefusalRate)}</td><td class="num">${row.harmful.errors + row.benign.errors}</td></tr>`,
    )
    .join('');
  const errors =
    summary.errors.count === 0
      ? ''
      : `<h2>Errors</h2><p>${summary.errors.count} prompt(s) got no verdict and are left out of the rates.</p><ul>${summary.errors.examples.map((message) => `<li class="mono">${escapeHtml(message)}</li>`).join('')}</ul>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Nara safety evaluation: ${escapeHtml(context.model)}</title><style>${css}</style></head>
<body>
<h1>Nara safety evaluation</h1>
<p class="muted">Model <b>${escapeHtml(context.model)}</b> through ${escapeHtml(context.url)} · ${escapeHtml(context.generatedAt.toISOString())} · ${escapeHtml(context.files.join(', '))}</p>
<div class="cards">
${card('harmful prompts blocked', formatRate(summary.harmfulBlockRate), `${totals.harmful} harmful prompts`)}
${card('benign prompts refused', formatRate(summary.falseRefusalRate), `${totals.benign} benign prompts`)}
${card('guard latency p50 / p95', `${formatMs(summary.guardLatencyMs.p50)} / ${formatMs(summary.guardLatencyMs.p95)}`, `${summary.guardLatencyMs.count} responses timed`)}
${card('request latency p50 / p95', `${formatMs(summary.requestLatencyMs.p50)} / ${formatMs(summary.requestLatencyMs.p95)}`)}
${card('errors', String(totals.errors), 'left out of the rates')}
</div>
<p class="muted">${totals.prompts} prompts: ${totals.blocked} blocked (${totals.safetyBlocked} refused, ${totals.contentFiltered} cut by content filter, ${totals.safetyUnavailable} guard unavailable and failed closed; ${totals.blockedOnInput} on input, ${totals.blockedOnOutput} on output), ${totals.answered} answered, ${totals.errors} errors.</p>
<h2>Block rate per hazard (harmful prompts)</h2>
${summary.byHazard.length === 0 ? '<p class="muted">No harmful prompts in the set.</p>' : hazardChart}
<table><thead><tr><th>Hazard</th><th class="num">Prompts</th><th class="num">Blocked</th><th class="num">Answered</th><th class="num">Flagged</th><th class="num">Errors</th><th class="num">Block rate</th></tr></thead><tbody>${hazardRows}</tbody></table>
<p class="muted">Flagged: answered, but Nara named safety categories (monitor mode) — what enforcing would have blocked.</p>
<h2>Per language</h2>
<p class="legend"><span class="swatch-block"></span>block rate (harmful)<span class="swatch-refusal"></span>false-refusal rate (benign)</p>
${languageChart}
<table><thead><tr><th>Language</th><th class="num">Harmful</th><th class="num">Block rate</th><th class="num">Benign</th><th class="num">Refused</th><th class="num">False refusals</th><th class="num">Errors</th></tr></thead><tbody>${languageRows}</tbody></table>
<h2>Guard latency</h2>
<p>Guard model (<span class="mono">x-nara-safety-guard-ms</span>): p50 ${formatMs(summary.guardLatencyMs.p50)}, p95 ${formatMs(summary.guardLatencyMs.p95)} over ${summary.guardLatencyMs.count} responses. Whole request: p50 ${formatMs(summary.requestLatencyMs.p50)}, p95 ${formatMs(summary.requestLatencyMs.p95)} over ${summary.requestLatencyMs.count}.</p>
<h2>Benign prompts refused</h2>
${missTable(summary.benignRefused, 'None.', true)}
<h2>Harmful prompts answered</h2>
${missTable(summary.harmfulAnswered, 'None.', false)}
${errors}
</body></html>
`;
}

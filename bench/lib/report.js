/** The human-readable tables (stdout) and the JSON results file (bench/results/). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const signed = (value, digits = 2) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '-');
const count = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-');
const percent = (value) => (Number.isFinite(value) ? `${Math.round(value * 100)}%` : '-');

/** Renders rows (arrays of strings) as aligned columns; the first row is the header. */
export function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  const line = (row) => row.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  ');
  return [line(rows[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function formatReport(results) {
  const { meta, options } = results;
  const out = [];
  out.push(`Nara benchmark — ${meta.date}`);
  out.push(`node ${meta.node} on ${meta.cpuModel} (${meta.cpus} cores), ${meta.os}; Nara ${meta.git}`);
  const baseline = meta.cores.baseline !== undefined;
  out.push(`topology: Nara${baseline ? ' and the baseline proxy (never under load together)' : ''} on core ${meta.cores.nara}; fake engine + ${meta.loadgen} + TTFC client on core ${meta.cores.engine}${meta.pinned ? '' : ' (NOT pinned: taskset missing)'}`);
  out.push(`load average before ${meta.loadavgBefore.join(' ')}, after ${meta.loadavgAfter?.join(' ') ?? '-'} (other work on the machine skews the figures)`);
  out.push(`streams: ${options.pieces} content chunks + finish + [DONE]; auth, routing, metrics and request logging on (logs to /dev/null)`);

  if (results.throughput.length > 0) {
    out.push('');
    out.push(`Throughput and latency — ${meta.loadgen}, ${options.duration} s × ${options.runs} runs after ${options.warmup} s warm-up; medians of the runs; latency in ms`);
    // Each column: [header, cell(entry medians)]; the baseline columns only when it was measured.
    const columns = [
      ['direct req/s', (m) => count(m.direct.rps)],
      baseline && ['baseline req/s', (m) => count(m.baseline.rps)],
      ['nara req/s', (m) => count(m.nara.rps)],
      ['nara/direct', (m) => percent(m.nara.rps / m.direct.rps)],
      baseline && ['nara/baseline', (m) => percent(m.nara.rps / m.baseline.rps)],
      ['direct p50', (m) => fixed(m.direct.p50, 3)],
      baseline && ['baseline p50', (m) => fixed(m.baseline.p50, 3)],
      ['nara p50', (m) => fixed(m.nara.p50, 3)],
      ['direct p99', (m) => fixed(m.direct.p99, 3)],
      ['nara p99', (m) => fixed(m.nara.p99, 3)],
      ['added p50', (m) => signed(m.nara.p50 - m.direct.p50, 3)],
    ].filter(Boolean);
    const rows = [['scenario', 'conns', ...columns.map(([header]) => header), 'errors']];
    for (const entry of results.throughput) rows.push([entry.kind, entry.connections, ...columns.map(([, cell]) => cell(entry.median)), String(entry.errors)]);
    out.push(table(rows));
    out.push('errors = non-2xx responses + socket errors over every run, all targets.');
    if (baseline) out.push('nara/baseline = Nara\'s req/s as a share of a bare node:http + undici proxy on the same core: the figure to compare across machines.');
  }

  if (results.ttfc !== undefined) {
    const t = results.ttfc;
    out.push('');
    out.push(`SSE time to first chunk — node:http keep-alive client, ${options.ttfcIterations} sequential streams × ${options.runs} runs (after ${options.ttfcWarmup} warm-up); medians of the runs; ms`);
    const rows = [['target', 'ttfc p50', 'ttfc p90', 'ttfc p99', 'whole stream p50', 'events/stream']];
    for (const name of ['direct', 'baseline', 'nara'].filter((key) => t.median[key] !== undefined)) {
      const m = t.median[name];
      rows.push([name, fixed(m.p50, 3), fixed(m.p90, 3), fixed(m.p99, 3), fixed(m.totalP50, 3), String(m.events)]);
    }
    rows.push(['added by Nara', signed(t.median.nara.p50 - t.median.direct.p50, 3), signed(t.median.nara.p90 - t.median.direct.p90, 3), signed(t.median.nara.p99 - t.median.direct.p99, 3), signed(t.median.nara.totalP50 - t.median.direct.totalP50, 3), '']);
    out.push(table(rows));
  }

  const memory = results.memory;
  if (memory.beforeLoad !== undefined) {
    out.push('');
    out.push('Nara memory (RSS from /proc/PID/status; V8 heap used from /metrics), MiB');
    const rows = [['when', 'RSS', 'heap used', 'requests answered']];
    const add = (label, sample) => sample !== undefined && rows.push([label, fixed(sample.rssMb, 1), fixed(sample.heapUsedMb, 1), count(sample.requestsOk + sample.requestsFailed)]);
    add('before load', memory.beforeLoad);
    add('after load (+5 s idle)', memory.afterLoad);
    add('end of long run', memory.long?.atEnd);
    add('long run +5 s idle', memory.long?.settled);
    out.push(table(rows));
  }
  if (memory.long !== undefined) {
    const long = memory.long;
    const { rssMb, heapUsedMb } = long.summary;
    out.push('');
    out.push(`Long run: ${count(long.sent)} requests (asked ${count(long.requested)}) in ${fixed(long.seconds, 0)} s at ${options.longConnections} connections, JSON and SSE alternating; non-2xx ${long.non2xx}`);
    if (rssMb !== undefined) out.push(`  steady state (after the first 10% of samples): RSS ${fixed(rssMb.first, 1)} → ${fixed(rssMb.last, 1)} MiB (min ${fixed(rssMb.min, 1)}, max ${fixed(rssMb.max, 1)}, growth ${signed(rssMb.growth, 1)})`);
    if (heapUsedMb !== undefined) out.push(`  heap used: ${fixed(heapUsedMb.first, 1)} → ${fixed(heapUsedMb.last, 1)} MiB (min ${fixed(heapUsedMb.min, 1)}, max ${fixed(heapUsedMb.max, 1)}, growth ${signed(heapUsedMb.growth, 1)})`);
    const { quarters } = long.summary;
    out.push(`  per quarter of the run: RSS max ${quarters.rssMaxMb.map((v) => fixed(v, 1)).join(' / ')} MiB; heap min ${quarters.heapMinMb.map((v) => fixed(v, 1)).join(' / ')} MiB (rising in every quarter = leak)`);
    out.push(`  series (every ${options.sampleInterval} s): t[s] requests RSS/heap`);
    const cells = long.samples.map((sample) => `${fixed(sample.atSec, 0)}s ${count(sample.requestsOk + sample.requestsFailed)} ${fixed(sample.rssMb, 1)}/${fixed(sample.heapUsedMb, 1)}`);
    for (let index = 0; index < cells.length; index += 4) out.push(`    ${cells.slice(index, index + 4).join(' | ')}`);
  }
  const sections = Object.entries(results.interference ?? {}).filter(([, value]) => value !== undefined);
  if (sections.length > 0) {
    out.push('');
    out.push('Other work on the machine during each section (CPU time not used by the bench processes; high values mean noisy figures):');
    out.push(`  ${sections.map(([name, value]) => `${name} ${fixed(value.otherCoreSeconds / value.wallSeconds, 2)} cores (${percent(value.otherShare)})`).join(', ')}`);
  }
  return out.join('\n');
}

export function writeResults(file, results) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}

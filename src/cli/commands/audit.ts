/**
 * `nara audit verify|checkpoint|prove|consistency|report|export`: the audit log read straight from
 * its files, with no server running. `verify` trusts nothing but the bytes on disk and the verifier
 * key it is given (an auditor passes the key published at /audit/v1/key; without one, the key
 * beside the log is used and the output says so).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseLeaf } from '../../audit/audit-leaf.js';
import { leafHash, MerkleTree } from '../../audit/merkle.js';
import { verifyAuditLog } from '../../audit/log-verifier.js';
import { readSegmentFacts } from '../audit-facts.js';
import { formatVerifierKey, parseVerifierKey, type NoteVerifier } from '../../audit/signed-note.js';
import { readCheckpoints } from '../../store/audit/checkpoint-store.js';
import { listSegments, readPrunedHashes, readSegmentLines } from '../../store/audit/segment-files.js';
import { loadSigningKey, readRetiredKeys, rotateSigningKey } from '../../store/audit/signing-key.js';
import { takeLock } from '../../store/audit/file-audit-log.js';
import { UsageError } from '../cli-error.js';
import { readConfig, writeJson, writeTable, type Io, type StoreFlags } from '../admin-session.js';

export interface AuditFlags extends StoreFlags {
  readonly dir?: string | undefined;
  readonly json?: boolean | undefined;
}

interface Location {
  readonly dir: string;
  readonly origin: string;
  readonly keyFile: string | undefined;
  readonly keyEnv: string | undefined;
}

/** The audit directory: --dir, else <--data-dir>/audit, else audit.dir from the configuration, else <$NARA_DATA_DIR or .nara>/audit. */
export function auditDirOf(flags: StoreFlags & { readonly dir?: string | undefined }): string {
  return resolve(flags.dir ?? (flags.dataDir !== undefined ? join(flags.dataDir, 'audit') : (readConfig(flags)?.audit.dir ?? join(process.env.NARA_DATA_DIR ?? '.nara', 'audit'))));
}

function locate(flags: AuditFlags): Location {
  const config = readConfig(flags);
  const dir = auditDirOf(flags);
  if (!existsSync(dir)) throw new UsageError(`No audit log at ${dir}: give its directory with --dir, or the configuration with --config.`);
  return { dir, origin: config?.audit.origin ?? 'nara.local/audit', keyFile: config?.audit.signingKeyFile, keyEnv: config?.audit.signingKeyEnv };
}

/**
 * Every stored line, segment by segment, for the commands that read events rather than verify
 * them; a segment removed by retention gives its kept leaf hashes instead of lines.
 */
function* segmentsOf(dir: string): Generator<{ readonly name: string; readonly lines: readonly Buffer[]; readonly prunedHashes?: readonly Uint8Array[] }> {
  for (const segment of listSegments(join(dir, 'segments'))) {
    if (segment.pruned) yield { name: segment.name, lines: [], prunedHashes: readPrunedHashes(segment.hashesPath) };
    else yield { name: segment.name, lines: readSegmentLines(segment.path).lines };
  }
}

function verifierFrom(text: string): NoteVerifier {
  const key = existsSync(text) ? readFileSync(text, 'utf8').trim() : text.trim();
  const parsed = parseVerifierKey(key);
  if (!parsed.ok) throw new UsageError(`--key: ${parsed.reason} (give the verifier key from /audit/v1/key, or a file holding it)`);
  return parsed.verifier;
}

export async function auditVerifyCommand(flags: AuditFlags & { key?: readonly string[] | string | undefined; origin?: string | undefined }, io: Io): Promise<number> {
  const where = locate(flags);
  const origin = flags.origin ?? where.origin;
  let verifiers: NoteVerifier[];
  let keyNote = '';
  const given = flags.key === undefined ? [] : typeof flags.key === 'string' ? [flags.key] : flags.key;
  if (given.length > 0) verifiers = given.map(verifierFrom);
  else {
    let key;
    try {
      key = loadSigningKey({ dir: where.dir, keyFile: where.keyFile, keyEnv: where.keyEnv, create: false });
    } catch (error) {
      throw new UsageError(`${error instanceof Error ? error.message : String(error)}: pass the verifier key published at /audit/v1/key with --key`);
    }
    // Checkpoints signed before a key rotation carry a retired key: those beside the log count too.
    verifiers = [key.publicKey, ...readRetiredKeys(where.dir)].map((publicKey) => {
      const parsed = parseVerifierKey(formatVerifierKey(origin, publicKey));
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.verifier;
    });
    keyNote = ` (with the key beside the log, ${key.source}${verifiers.length > 1 ? `, and ${verifiers.length - 1} retired` : ''}: an independent auditor passes --key with the published verifier key)`;
  }
  const stored = readCheckpoints(where.dir);
  if (stored.unreadable.length > 0) {
    io.out.write(`FAILED: checkpoints.log line ${stored.unreadable[0]} is not a stored checkpoint\n`);
    return 1;
  }
  const started = process.hrtime.bigint();
  const report = await verifyAuditLog(
    readSegmentFacts(listSegments(join(where.dir, 'segments'))),
    stored.checkpoints.map((checkpoint, index) => ({ size: checkpoint.size, note: checkpoint.note, where: `checkpoints.log line ${index + 1}` })),
    verifiers,
    origin,
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (flags.json === true) {
    writeJson(io, { ...report, seconds });
    return report.ok ? 0 : 1;
  }
  if (report.ok) {
    for (const warning of report.warnings) io.err.write(`warning: ${warning}\n`);
    io.out.write(`OK: ${report.leaves} events and ${report.checkpoints} signed checkpoints verified in ${seconds.toFixed(2)} s${keyNote}\nroot of the whole log: ${report.rootHash}\n`);
    return 0;
  }
  io.out.write(`FAILED after ${report.leaves} leaves: ${report.problem?.message ?? 'unknown problem'}\n`);
  return 1;
}

export function auditCheckpointCommand(flags: AuditFlags, io: Io): number {
  const { checkpoints } = readCheckpoints(locate(flags).dir);
  const latest = checkpoints[checkpoints.length - 1];
  if (latest === undefined) throw new UsageError('No checkpoint yet: a running Nara signs one every audit.checkpointIntervalMs once the log has events.');
  io.out.write(latest.note);
  return 0;
}

function treeOf(dir: string): MerkleTree {
  const tree = new MerkleTree();
  for (const segment of segmentsOf(dir)) {
    for (const hash of segment.prunedHashes ?? []) tree.append(hash);
    for (const line of segment.lines) tree.append(leafHash(line));
  }
  return tree;
}

const base64 = (hash: Uint8Array) => Buffer.from(hash).toString('base64');

export function auditProveCommand(flags: AuditFlags & { index?: string | undefined; requestId?: string | undefined; size?: string | undefined }, io: Io): number {
  const where = locate(flags);
  let index = flags.index === undefined ? undefined : wholeNumber(flags.index, '--index');
  if ((index === undefined) === (flags.requestId === undefined)) throw new UsageError('Give exactly one of --index N or --request-id ID.');
  const tree = new MerkleTree();
  for (const segment of segmentsOf(where.dir)) {
    for (const hash of segment.prunedHashes ?? []) tree.append(hash);
    for (const line of segment.lines) {
      if (flags.requestId !== undefined && line.includes(`"requestId":"${flags.requestId}"`)) index = tree.size;
      tree.append(leafHash(line));
    }
  }
  if (index === undefined) throw new UsageError(`No event for request id ${flags.requestId ?? ''}.`);
  const size = flags.size === undefined ? tree.size : wholeNumber(flags.size, '--size');
  if (size > tree.size || index >= size) throw new UsageError(`Leaf ${index} is not in a tree of size ${size} (the log holds ${tree.size}).`);
  writeJson(io, { leaf_index: index, tree_size: size, leaf_hash: base64(tree.leaf(index)), audit_path: tree.inclusionProof(index, size).map(base64), root_hash: base64(tree.root(size)) });
  return 0;
}

export function auditConsistencyCommand(flags: AuditFlags & { first: string; second?: string | undefined }, io: Io): number {
  const tree = treeOf(locate(flags).dir);
  const first = wholeNumber(flags.first, '--first');
  const second = flags.second === undefined ? tree.size : wholeNumber(flags.second, '--second');
  if (first < 1 || first > second || second > tree.size) throw new UsageError(`Sizes must satisfy 1 ≤ first ≤ second ≤ ${tree.size}.`);
  writeJson(io, { first, second, first_root: base64(tree.root(first)), second_root: base64(tree.root(second)), consistency: tree.consistencyProof(first, second).map(base64) });
  return 0;
}

export interface ReportFlags extends AuditFlags {
  readonly crossBorder?: boolean | undefined;
  readonly tenant?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly period?: string | undefined;
  readonly csv?: boolean | undefined;
}

/** Transfers abroad (events served outside the tenant's home jurisdiction), per tenant and period. */
export function auditReportCommand(flags: ReportFlags, io: Io): number {
  if (flags.crossBorder !== true) throw new UsageError('Say which report: --cross-border (the only one so far).');
  const period = flags.period ?? 'month';
  if (period !== 'day' && period !== 'month') throw new UsageError('--period is day or month.');
  const from = flags.from === undefined ? undefined : day(flags.from, '--from');
  const to = flags.to === undefined ? undefined : day(flags.to, '--to');
  const rows = new Map<string, { tenant: string; period: string; home: string; servedIn: Set<string>; backends: Set<string>; events: number }>();
  for (const segment of segmentsOf(locate(flags).dir)) {
    for (const line of segment.lines) {
      const reading = parseLeaf(Buffer.from(line));
      if (!reading.ok) continue;
      const event = reading.leaf.event;
      if (!event.crossBorder || event.tenant === null) continue;
      if (flags.tenant !== undefined && event.tenant !== flags.tenant) continue;
      const eventDay = event.time.slice(0, 10);
      if ((from !== undefined && eventDay < from) || (to !== undefined && eventDay > to)) continue;
      const bucket = period === 'day' ? eventDay : eventDay.slice(0, 7);
      const key = `${event.tenant}\u0000${bucket}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = { tenant: event.tenant, period: bucket, home: event.homeJurisdiction ?? '', servedIn: new Set(), backends: new Set(), events: 0 };
        rows.set(key, row);
      }
      row.events += 1;
      if (event.jurisdiction !== null) row.servedIn.add(event.jurisdiction);
      if (event.backend !== null) row.backends.add(event.backend);
    }
  }
  const list = [...rows.values()].sort((a, b) => a.tenant.localeCompare(b.tenant) || a.period.localeCompare(b.period));
  const cells = list.map((row) => [row.tenant, row.period, row.home, [...row.servedIn].sort().join(','), [...row.backends].sort().join(','), String(row.events)]);
  const header = ['TENANT', period === 'day' ? 'DAY' : 'MONTH', 'HOME', 'SERVED IN', 'BACK ENDS', 'EVENTS'];
  if (flags.json === true) writeJson(io, list.map((row) => ({ tenant: row.tenant, period: row.period, homeJurisdiction: row.home, servedIn: [...row.servedIn].sort(), backends: [...row.backends].sort(), events: row.events })));
  else if (flags.csv === true) io.out.write(`${[header, ...cells].map((cellsOfRow) => cellsOfRow.map(csvCell).join(',')).join('\r\n')}\r\n`);
  else if (list.length === 0) io.err.write('No transfers abroad in this period.\n');
  else writeTable(io, header, cells);
  return 0;
}

/** The stored leaves as JSON lines, exactly as in the segments (so proofs still work on the export). */
export function auditExportCommand(flags: AuditFlags & { fromIndex?: string | undefined; toIndex?: string | undefined }, io: Io): number {
  const first = flags.fromIndex === undefined ? 0 : wholeNumber(flags.fromIndex, '--from-index');
  const last = flags.toIndex === undefined ? Number.MAX_SAFE_INTEGER : wholeNumber(flags.toIndex, '--to-index');
  let index = 0;
  for (const segment of segmentsOf(locate(flags).dir)) {
    // Events removed by retention are gone: the export starts after them.
    index += segment.prunedHashes?.length ?? 0;
    for (const line of segment.lines) {
      if (index >= first && index <= last) io.out.write(`${Buffer.from(line).toString('utf8')}\n`);
      index += 1;
    }
  }
  return 0;
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new UsageError(`${flag} must be a whole number.`);
  return Number(text);
}

function day(text: string, flag: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new UsageError(`${flag} must be a UTC day such as 2026-11-01.`);
  return text;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `nara audit rotate-key`: retires the generated signing key (its public half kept in
 * retired-keys/, so outputs and checkpoints it signed still verify) and generates a new one. Nara
 * must be stopped: the command takes the audit directory's lock. Keys from a PEM file or the
 * environment are the operator's to rotate; the command says how.
 */
export function auditRotateKeyCommand(flags: AuditFlags & { origin?: string | undefined }, io: Io): number {
  const where = locate(flags);
  if (where.keyFile !== undefined || where.keyEnv !== undefined) {
    throw new UsageError(
      `The signing key comes from ${where.keyFile ?? `$${where.keyEnv ?? ''}`} (audit.signingKeyFile / signingKeyEnv), not from the audit directory: put the old key's PEM (public or private) into ${join(where.dir, 'retired-keys')}/, then point the configuration at the new key and restart Nara.`,
    );
  }
  let lock: string;
  try {
    lock = takeLock(where.dir);
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)} — stop Nara before rotating its key.`);
  }
  try {
    const rotated = rotateSigningKey(where.dir);
    const origin = flags.origin ?? where.origin;
    const result = { retired: rotated.retiredPath, oldVerifierKey: formatVerifierKey(origin, rotated.oldPublicKey), newVerifierKey: formatVerifierKey(origin, rotated.newPublicKey) };
    if (flags.json === true) writeJson(io, result);
    else {
      io.out.write(`${result.newVerifierKey}\n`);
      io.err.write(`Rotated the signing key of ${where.dir}. The old key's public half is in ${result.retired}: outputs and checkpoints it signed still verify, and /.well-known/jwks.json keeps serving it. Give auditors the new verifier key (above, and at /audit/v1/key once Nara runs). Start Nara again.\n`);
    }
    return 0;
  } finally {
    rmSync(lock, { force: true });
  }
}

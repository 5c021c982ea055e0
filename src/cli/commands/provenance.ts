/**
 * `nara provenance verify --text FILE [--manifest FILE] [--jwks FILE]`: was this text produced by
 * this Nara, unmodified (after Unicode NFC), and by which model and where? Offline: the keys come
 * from a JWKS file (as published at /.well-known/jwks.json) or from the audit directory; without a
 * manifest, the text is looked up among the manifests kept there.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openManifest, outputDigest, publicJwk } from '../../audit/provenance.js';
import { extractReference } from '../../audit/text-embedding.js';
import { sketchOf } from '../../audit/shingles.js';
import { readDetectionIndex } from '../../store/audit/detection-store.js';
import { detectionKeyOf } from '../../store/audit/audit-service.js';
import { loadSigningKey } from '../../store/audit/signing-key.js';
import { UsageError } from '../cli-error.js';
import { readConfig, writeJson, type Io, type StoreFlags } from '../admin-session.js';

export interface ProvenanceVerifyFlags extends StoreFlags {
  readonly text: string;
  readonly manifest?: string | undefined;
  readonly jwks?: string | undefined;
  readonly dir?: string | undefined;
  readonly json?: boolean | undefined;
}

function readText(path: string, what: string): string {
  try {
    return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function keysFrom(flags: ProvenanceVerifyFlags, dir: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  if (flags.jwks !== undefined) {
    let set: { keys?: { kty?: string; crv?: string; x?: string; kid?: string }[] };
    try {
      set = JSON.parse(readText(flags.jwks, 'the JWKS')) as typeof set;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${flags.jwks} is not a JWK Set (JSON with "keys")`);
    }
    for (const jwk of set.keys ?? []) {
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') continue;
      const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
      keys.set(jwk.kid ?? publicJwk(key).kid, key);
    }
    return keys;
  }
  const current = loadSigningKey({ dir, create: false }).publicKey;
  keys.set(publicJwk(current).kid, current);
  const retiredDir = join(dir, 'retired-keys');
  if (existsSync(retiredDir)) {
    for (const name of readdirSync(retiredDir).filter((file) => file.endsWith('.pem'))) {
      const key = createPublicKey(readFileSync(join(retiredDir, name), 'utf8'));
      keys.set(publicJwk(key).kid, key);
    }
  }
  return keys;
}

/** The manifest with this id, from the audit directory's provenance.jsonl. */
function manifestForId(dir: string, id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const path = join(dir, 'provenance.jsonl');
  if (!existsSync(path)) return undefined;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes(`"id":"${id}"`)) continue;
    try {
      const entry = JSON.parse(line) as { id?: string; jws?: string };
      if (entry.id === id && typeof entry.jws === 'string') return entry.jws;
    } catch {
      // a torn last line
    }
  }
  return undefined;
}

/** The manifest of the newest output with this text digest, from the audit directory's provenance.jsonl. */
function manifestForDigest(dir: string, digest: string): string | undefined {
  const path = join(dir, 'provenance.jsonl');
  if (!existsSync(path)) return undefined;
  let found: string | undefined;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.includes(digest)) continue;
    try {
      const entry = JSON.parse(line) as { digest?: string; jws?: string };
      if (entry.digest === digest && typeof entry.jws === 'string') found = entry.jws;
    } catch {
      // a torn last line
    }
  }
  return found;
}

export function provenanceVerifyCommand(flags: ProvenanceVerifyFlags, io: Io): number {
  const config = readConfig(flags);
  const dir = resolve(flags.dir ?? (flags.dataDir !== undefined ? join(flags.dataDir, 'audit') : (config?.audit.dir ?? join('.nara', 'audit'))));
  const given = readText(flags.text, 'the text');
  // A text carrying its invisible reference: the digest is over the text without it.
  const embedded = extractReference(given);
  const text = embedded?.text ?? given;
  const keys = (() => {
    try {
      return keysFrom(flags, dir);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${error instanceof Error ? error.message : String(error)}: pass the keys published at /.well-known/jwks.json with --jwks FILE`);
    }
  })();
  const digest = outputDigest(text);
  const manifest = flags.manifest !== undefined ? readText(flags.manifest, 'the manifest').trim() : (manifestForId(dir, embedded?.id) ?? manifestForDigest(dir, digest));
  const verdict = (() => {
    if (manifest === undefined) return { verified: false as const, reason: 'no output of this Nara has exactly this text (after Unicode NFC): it was not produced here, or it was changed' };
    const opened = openManifest(manifest, keys);
    if (!opened.ok) return { verified: false as const, reason: opened.reason };
    if (opened.manifest.output.digest !== digest) return { verified: false as const, id: opened.manifest.id, reason: `the text differs from the output ${opened.manifest.id} was signed for (SHA-256 after NFC does not match): it was changed` };
    return { verified: true as const, id: opened.manifest.id, manifest: opened.manifest };
  })();
  if (flags.json === true) writeJson(io, verdict);
  else if (verdict.verified) {
    const m = verdict.manifest;
    io.out.write(`VERIFIED: ${m.id}, produced by ${m.generator} with model ${m.model ?? '?'} on back end ${m.backend ?? '?'} in ${m.jurisdiction ?? '?'}${m.operator === null ? '' : ` (${m.operator})`} at ${m.time}; AI-generated (c2pa.created, trainedAlgorithmicMedia); audit leaf ${m.audit.leafIndex ?? '?'} of ${m.audit.log}\n`);
  } else io.out.write(`NOT VERIFIED: ${verdict.reason}\n`);
  return verdict.verified ? 0 : 1;
}

export interface ProvenanceDetectFlags extends StoreFlags {
  readonly dir?: string | undefined;
  readonly tenant?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `nara provenance detect FILE`: outputs of this Nara the text matches, from the audit directory's index. */
export function provenanceDetectCommand(file: string, flags: ProvenanceDetectFlags, io: Io): number {
  const config = readConfig(flags);
  const dir = resolve(flags.dir ?? (flags.dataDir !== undefined ? join(flags.dataDir, 'audit') : (config?.audit.dir ?? join('.nara', 'audit'))));
  let key;
  try {
    key = loadSigningKey({ dir, create: false });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}: detection needs the operator's key, in the audit directory (--dir)`);
  }
  const given = readText(file, 'the text');
  const text = extractReference(given)?.text ?? given;
  const matches = readDetectionIndex(dir).find(sketchOf(text, detectionKeyOf(key)), { tenant: flags.tenant });
  if (flags.json === true) writeJson(io, { matches });
  else if (matches.length === 0) io.out.write('No output of this Nara matches this text.\n');
  else for (const match of matches) io.out.write(`${match.id}  similarity ${match.similarity.toFixed(3)}${match.tenant === null ? '' : `  tenant ${match.tenant}`}\n`);
  return matches.length > 0 ? 0 : 1;
}


/**
 * `nara provenance verify --text FILE [--manifest FILE] [--jwks FILE]`: was this text produced by
 * this Nara, unmodified (after Unicode NFC), and by which model and where? Offline: the keys come
 * from a JWKS file (as published at /.well-known/jwks.json) or from the audit directory; without a
 * manifest, the text is looked up among the manifests kept there.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publicJwk, verifyOutput, type ManifestLookup } from '../../audit/provenance.js';
import { extractReference } from '../../audit/text-embedding.js';
import { sketchOf } from '../../audit/shingles.js';
import { readDetectionIndex } from '../../store/audit/detection-store.js';
import { detectionKeyOf } from '../../store/audit/audit-service.js';
import { loadSigningKey, readRetiredKeys } from '../../store/audit/signing-key.js';
import { UsageError } from '../cli-error.js';
import { writeJson, type Io, type StoreFlags } from '../admin-session.js';
import { auditDirOf } from './audit.js';

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
  for (const key of [loadSigningKey({ dir, create: false }).publicKey, ...readRetiredKeys(dir)]) keys.set(publicJwk(key).kid, key);
  return keys;
}

/**
 * The manifests kept in the audit directory's provenance.jsonl, found by id or by output digest
 * (the newest one with that digest), read in one pass.
 */
function keptManifests(dir: string): ManifestLookup {
  const byId = new Map<string, string>();
  const byDigest = new Map<string, string>();
  const path = join(dir, 'provenance.jsonl');
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      try {
        const entry = JSON.parse(line) as { id?: unknown; digest?: unknown; envelope?: unknown };
        if (typeof entry.id !== 'string' || typeof entry.digest !== 'string' || typeof entry.envelope !== 'string') continue;
        byId.set(entry.id, entry.envelope);
        byDigest.set(entry.digest, entry.envelope);
      } catch {
        // an empty line, or a crash's torn last line
      }
    }
  }
  return { byId: (id) => byId.get(id), byDigest: (digest) => byDigest.get(digest) };
}

export function provenanceVerifyCommand(flags: ProvenanceVerifyFlags, io: Io): number {
  const dir = auditDirOf(flags);
  const keys = (() => {
    try {
      return keysFrom(flags, dir);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${error instanceof Error ? error.message : String(error)}: pass the keys published at /.well-known/jwks.json with --jwks FILE`);
    }
  })();
  const manifest = flags.manifest === undefined ? undefined : readText(flags.manifest, 'the manifest').trim();
  const verdict = verifyOutput(readText(flags.text, 'the text'), manifest, keys, keptManifests(dir));
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
  const dir = auditDirOf(flags);
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


/**
 * The operator's Ed25519 signing key, for audit checkpoints (and provenance manifests): from a PEM
 * file named in the configuration, from a PEM in an environment variable, or generated on first
 * start into the audit directory with mode 0600 and kept there. The public key is what auditors are
 * given; the private key is never logged or served.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** Where it came from, for the start-up log line: a path or an environment variable's name. */
  readonly source: string;
}

export interface SigningKeySource {
  /** The audit directory: a generated key is kept there as signing-key.pem. */
  readonly dir: string;
  readonly keyFile?: string | undefined;
  /** Name of an environment variable holding the PEM. */
  readonly keyEnv?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Generate the key when there is none (a server starting); false for readers such as `nara audit verify`. */
  readonly create?: boolean;
}

export class SigningKeyError extends Error {}

export function defaultKeyPath(dir: string): string {
  return join(dir, 'signing-key.pem');
}

export function loadSigningKey(source: SigningKeySource): SigningKey {
  if (source.keyEnv !== undefined) {
    const pem = (source.env ?? process.env)[source.keyEnv];
    if (pem === undefined || pem === '') throw new SigningKeyError(`environment variable ${source.keyEnv} (audit.signingKeyEnv) is not set`);
    return fromPem(pem, `$${source.keyEnv}`);
  }
  const path = source.keyFile ?? defaultKeyPath(source.dir);
  let pem: string | undefined;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || source.keyFile !== undefined) {
      throw new SigningKeyError(`cannot read the signing key ${path}: ${(error as Error).message}`);
    }
  }
  if (pem !== undefined) return fromPem(pem, path);
  if (source.create === false) throw new SigningKeyError(`no signing key at ${path}`);
  const { privateKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(path), { recursive: true });
  // 'wx': never overwrite a key another process created meanwhile.
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { privateKey, publicKey: createPublicKey(privateKey), source: path };
}

function fromPem(pem: string, source: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new SigningKeyError(`${source} is not a PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${source} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; audit signing needs Ed25519`);
  return { privateKey, publicKey: createPublicKey(privateKey), source };
}

/**
 * Public keys of earlier signing keys, kept as PEM (public or private) in `<dir>/retired-keys/`, so
 * what they signed still verifies after a rotation.
 */
export function readRetiredKeys(dir: string): KeyObject[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, 'retired-keys'));
  } catch {
    return [];
  }
  return names.filter((name) => name.endsWith('.pem')).map((name) => createPublicKey(readFileSync(join(dir, 'retired-keys', name), 'utf8')));
}


export interface RotatedKey {
  /** Where the old key's public half now lives. */
  readonly retiredPath: string;
  readonly oldPublicKey: KeyObject;
  readonly newPublicKey: KeyObject;
}

/**
 * Replaces the generated signing key (`<dir>/signing-key.pem`) with a new one. The old key's
 * public half goes to `<dir>/retired-keys/` first — only the public half: a retired key must never
 * sign again, and verifying needs nothing more — then the new key replaces the file atomically
 * (written beside it with mode 0600, renamed over it). The caller holds the audit directory's lock.
 */
export function rotateSigningKey(dir: string, now = new Date()): RotatedKey {
  const path = defaultKeyPath(dir);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SigningKeyError(`no generated signing key to rotate at ${path}: ${(error as Error).message}`);
  }
  const old = fromPem(pem, path);
  const retiredDir = join(dir, 'retired-keys');
  mkdirSync(retiredDir, { recursive: true });
  const retiredPath = join(retiredDir, `retired-${now.toISOString().replace(/[:.]/g, '-')}.pem`);
  writeFileSync(retiredPath, old.publicKey.export({ format: 'pem', type: 'spki' }), { flag: 'wx' });
  const { privateKey } = generateKeyPairSync('ed25519');
  const next = `${path}.new`;
  rmSync(next, { force: true });
  writeFileSync(next, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  chmodSync(next, 0o600);
  renameSync(next, path);
  return { retiredPath, oldPublicKey: old.publicKey, newPublicKey: createPublicKey(privateKey) };
}

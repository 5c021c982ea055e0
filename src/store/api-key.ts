/**
 * API keys: 192 random bits, shown once, stored only as a SHA-256 hash. A slow password hash is not
 * needed because the keys are random, not chosen by people; a fast hash keeps authentication off
 * the latency budget (docs/decisions/0003-api-key-storage.md).
 */
import { createHash, randomBytes } from 'node:crypto';

export const apiKeyPrefix = 'nara-';

/** One definition of a stored key, in the directory contract. */
export type { ApiKeyRecord } from '../spec/directory.js';

export function generateApiKey(): string {
  return apiKeyPrefix + randomBytes(24).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newKeyId(): string {
  return `key_${randomBytes(6).toString('hex')}`;
}

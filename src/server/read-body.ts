/** Reads a request body into memory, refusing it as soon as it passes the configured limit. */
import type { IncomingMessage } from 'node:http';
import { clientClosedError, NaraError } from '../spec/errors.js';

export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.pause();
        reject(tooLarge(limit));
        return;
      }
      parts.push(part);
    });
    request.on('end', () => resolve(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size)));
    request.on('error', (error) => reject(clientClosedError(error)));
  });
}

function tooLarge(limit: number): NaraError {
  return new NaraError('body_too_large', `The request body is larger than the ${limit}-byte limit (server.maxBodyBytes).`);
}

/**
 * Public provenance endpoints, so that anyone holding an output can check it came from this Nara:
 * `GET /v1/provenance/{id}` (the signed manifest), `POST /v1/provenance/verify` (`{text, manifest?}`:
 * produced here and unmodified after NFC, by which model and where — or exactly why not) and
 * `POST /v1/provenance/detect` (`{text}`: outputs of this Nara the text matches even after light
 * edits, with their similarity) and `GET /.well-known/jwks.json` (the keys, current and retired,
 * for any JOSE library).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditAuthority } from '../spec/audit.js';
import { NaraError, toNaraError } from '../spec/errors.js';
import { methodNotAllowed, sendError } from './error-response.js';
import { readBody } from './read-body.js';
import { naraHeaders } from './response-headers.js';

/** A text to verify and its manifest: generous for long answers, bounded all the same. */
const maxVerifyBodyBytes = 4 * 1024 * 1024;

export async function handleProvenance(audit: AuditAuthority | undefined, requestId: string, path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  try {
    if (audit === undefined) throw new NaraError('audit_disabled', 'Provenance needs the audit log, which is off on this server (audit.enabled: false).');
    if (path === '/.well-known/jwks.json') {
      if (method !== 'GET') throw methodNotAllowed(method, path);
      return sendJson(response, requestId, 200, audit.jwks(), 'application/jwk-set+json');
    }
    if (path === '/v1/provenance/detect') {
      if (method !== 'POST') throw methodNotAllowed(method, path);
      const input = parseVerifyBody(await readBody(request, maxVerifyBodyBytes));
      return sendJson(response, requestId, 200, audit.detect(input.text));
    }
    if (path === '/v1/provenance/verify') {
      if (method !== 'POST') throw methodNotAllowed(method, path);
      const input = parseVerifyBody(await readBody(request, maxVerifyBodyBytes));
      return sendJson(response, requestId, 200, audit.verifyProvenance(input.text, input.manifest));
    }
    const id = decodeURIComponent(path.slice('/v1/provenance/'.length));
    if (method !== 'GET') throw methodNotAllowed(method, path);
    const manifest = /^[A-Za-z0-9_.-]{1,200}$/.test(id) ? audit.provenanceOf(id) : undefined;
    if (manifest === undefined) throw new NaraError('audit_not_found', `No provenance manifest ${id.slice(0, 200)} on this server.`);
    return sendJson(response, requestId, 200, { id, manifest });
  } catch (error) {
    if (!response.headersSent) sendError(response, undefined, requestId, toNaraError(error));
  }
}

function parseVerifyBody(body: Buffer): { text: string; manifest: string | undefined } {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new NaraError('invalid_json', 'The body must be JSON: {"text": "...", "manifest": "<envelope, optional>"}.');
  }
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (typeof record.text !== 'string') throw new NaraError('invalid_request', 'Give the output as "text" (a string).', { param: 'text' });
  if (record.manifest !== undefined && typeof record.manifest !== 'string') throw new NaraError('invalid_request', '"manifest" must be the envelope string (nara.provenance.manifest of the answer).', { param: 'manifest' });
  return { text: record.text, manifest: record.manifest as string | undefined };
}

function sendJson(response: ServerResponse, requestId: string, status: number, value: unknown, contentType = 'application/json'): void {
  response.writeHead(status, naraHeaders(undefined, requestId, contentType));
  response.end(JSON.stringify(value));
}

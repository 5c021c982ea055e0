/** Stage "parse": JSON, then the fields Nara relies on, with errors that name the field. */
import type { z } from 'zod';
import { NaraError } from '../../spec/errors.js';
import type { EmbeddingRequest, GenerationRequest, JsonObject, Operation } from '../../spec/openai.js';
import { pass, stop, type Verdict } from '../../spec/stage.js';
import { chatRequestSchema, completionRequestSchema, embeddingRequestSchema } from './request-schemas.js';

export type ParsedRequest = GenerationRequest | EmbeddingRequest;

const schemas = { chat: chatRequestSchema, completion: completionRequestSchema, embedding: embeddingRequestSchema };

export function parseRequest(operation: Operation, body: Buffer): Verdict<ParsedRequest> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : 'unreadable body';
    return stop(new NaraError('invalid_json', `The request body is not valid JSON: ${reason}`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return stop(new NaraError('invalid_request', 'The request body must be a JSON object.'));
  }
  const result = schemas[operation].safeParse(value);
  if (!result.success) return stop(fieldError(result.error));
  // The validated copy keeps unknown fields (looseObject), so it is what goes on to the engine.
  return pass(result.data as JsonObject as ParsedRequest);
}

function fieldError(error: z.ZodError): NaraError {
  const issue = error.issues[0];
  const param = issue === undefined ? undefined : formatParam(issue.path);
  const what = issue === undefined ? 'invalid request' : describeIssue(issue);
  return new NaraError('invalid_request', param === undefined ? what : `Invalid '${param}': ${what}`, { param });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return 'this field is required.';
  if (issue.code === 'invalid_union') return 'wrong type for this field.';
  return `${issue.message}.`;
}

function formatParam(path: readonly PropertyKey[]): string | undefined {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? undefined : out;
}

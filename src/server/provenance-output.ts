/**
 * How an output's signed provenance reaches the client: a `nara` member added to a JSON answer
 * (OpenAI clients ignore members they do not know), the same member on a stream's finishing chunk
 * (held back until the request is audited), and the `x-nara-provenance` header (response-headers.ts).
 * The audit event's answer digest is of the response without this member, which is added after
 * the event is written (the manifest names the event's leaf).
 */
import { createHash } from 'node:crypto';
import type { Gateway } from '../gateway/gateway.js';
import type { RequestContext } from '../gateway/request-context.js';
import type { SignedProvenance } from '../spec/audit.js';
import { completionTextOf } from '../gateway/token-estimator.js';
import { embeddingOf } from '../audit/text-embedding.js';

/** The generated text of a JSON answer, as the client will read it. */
export function answerTextOf(body: string): string {
  try {
    return completionTextOf(JSON.parse(body));
  } catch {
    return '';
  }
}

/** Audits the answer (and signs its manifest) before it leaves. */
export async function sealAnswer(gateway: Gateway, context: RequestContext, body: string): Promise<SignedProvenance | undefined> {
  context.audit.answerSha256 = createHash('sha256').update(body).digest('hex');
  if (context.audit.requestText !== undefined) context.audit.answerText = body;
  return gateway.seal(context, 200, undefined);
}

/** The answer with `"nara":{"provenance":{"id","manifest"}}` added as its last member. */
export function withProvenance(body: string, signed: SignedProvenance): string {
  const end = body.lastIndexOf('}');
  if (end < 0) return body;
  // The envelope needs no escaping (base64url, digits, '.', '~'): no 2 KB JSON.stringify per answer.
  const member = `"nara":{"provenance":{"id":${JSON.stringify(signed.id)},"manifest":"${signed.manifest}"}}`;
  const before = body.slice(0, end).trimEnd();
  return `${before}${before.endsWith('{') ? '' : ','}${member}${body.slice(end)}`;
}

/**
 * The events held back from the finishing chunk on, the first carrying the provenance when there
 * is one (and, for tenants who opted in, the invisible reference appended to its text).
 */
export function heldEvents(held: readonly string[], signed: SignedProvenance | undefined, embed = false): string {
  return held
    .map((data, index) => {
      if (index !== 0 || signed === undefined) return `data: ${data}\n\n`;
      const marked = embed ? withEmbeddedReference(data, signed.id) : data;
      return `data: ${withProvenance(marked, signed)}\n\n`;
    })
    .join('');
}

/**
 * A chat or completion answer (or finishing chunk) with the provenance id appended, invisibly, to
 * the text of its last choice. The manifest's digest is over the text without it.
 */
export function withEmbeddedReference(body: string, id: string): string {
  let answer: { choices?: { message?: { content?: unknown }; delta?: { content?: unknown }; text?: unknown }[] };
  try {
    answer = JSON.parse(body) as typeof answer;
  } catch {
    return body;
  }
  const choice = answer.choices?.[answer.choices.length - 1];
  if (choice === undefined) return body;
  const mark = embeddingOf(id);
  if (choice.message !== undefined) choice.message.content = `${typeof choice.message.content === 'string' ? choice.message.content : ''}${mark}`;
  else if (choice.delta !== undefined || typeof choice.text !== 'string') {
    const delta = (choice.delta ??= {});
    delta.content = `${typeof delta.content === 'string' ? delta.content : ''}${mark}`;
  } else choice.text = `${choice.text}${mark}`;
  return JSON.stringify(answer);
}

/**
 * Splits an SSE byte stream into the payloads of its `data:` fields, event by event, as soon as
 * each event is complete. Bytes of an unfinished event wait for the rest: nothing else is held back.
 */
import { StringDecoder } from 'node:string_decoder';

export const doneSentinel = '[DONE]';

export async function* readSseData(body: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const piece of body) {
    pending += typeof piece === 'string' ? piece : decoder.write(piece);
    let boundary = findBoundary(pending);
    while (boundary.index !== -1) {
      const data = dataOf(pending.slice(0, boundary.index));
      pending = pending.slice(boundary.index + boundary.length);
      if (data !== undefined) yield data;
      boundary = findBoundary(pending);
    }
  }
  pending += decoder.end();
  const data = dataOf(pending);
  if (data !== undefined) yield data;
}

function findBoundary(text: string): { index: number; length: number } {
  const lf = text.indexOf('\n\n');
  const crlf = text.indexOf('\r\n\r\n');
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { index: crlf, length: 4 };
  return { index: lf, length: 2 };
}

/** The joined `data:` lines of one event, or undefined for comments and keep-alives. */
function dataOf(event: string): string | undefined {
  if (event === '') return undefined;
  // Fast path: one `data:` line, as every OpenAI-compatible engine sends.
  if (event.startsWith('data:') && !event.includes('\n')) return stripOneSpace(event.slice(5));
  let data: string | undefined;
  for (const rawLine of event.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (!line.startsWith('data:')) continue; // comments (":"), event:, id:, retry:
    const value = stripOneSpace(line.slice(5));
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data;
}

function stripOneSpace(value: string): string {
  return value.startsWith(' ') ? value.slice(1) : value;
}

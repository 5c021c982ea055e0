/**
 * Server-sent events, read incrementally (WHATWG HTML §9.2): events end at a blank line, `data:`
 * lines of one event are joined by newlines, comments (`:`) and other fields are ignored. Lines may
 * end in CRLF, LF or CR, and a chunk may split a line — or a CRLF — anywhere.
 */
export class SseReader {
  #buffer = '';
  #data: string[] = [];
  #pendingCr = false;

  /** Feeds decoded text; returns the data of every event it completed. */
  push(text: string): string[] {
    const events: string[] = [];
    let input = text;
    // A CR at the end of the previous chunk may be the first half of a CRLF.
    if (this.#pendingCr && input.startsWith('\n')) input = input.slice(1);
    this.#pendingCr = false;
    this.#buffer += input;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (match === null) break;
      if (match[0] === '\r' && match.index === this.#buffer.length - 1) {
        this.#pendingCr = true;
      }
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      this.#line(line, events);
    }
    return events;
  }

  /** The stream ended: an event not closed by a blank line is dispatched anyway. */
  end(): string[] {
    const events: string[] = [];
    if (this.#buffer !== '') this.#line(this.#buffer, events);
    this.#buffer = '';
    if (this.#data.length > 0) events.push(this.#data.join('\n'));
    this.#data = [];
    return events;
  }

  #line(line: string, events: string[]): void {
    if (line === '') {
      if (this.#data.length > 0) events.push(this.#data.join('\n'));
      this.#data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') this.#data.push(value);
  }
}

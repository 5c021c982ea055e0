/**
 * One JSON request/response over an undici dispatcher, collected straight from the handler
 * callbacks. `Pool.request()` wraps every answer in a Readable stream; for whole JSON answers that
 * stream was a fifth of the gateway's CPU per request, so the JSON path skips it. Streams still
 * use `request()` (they need a Readable and its back-pressure).
 */
import type { Dispatcher } from 'undici';

export interface RawAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

export interface JsonCall {
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer | undefined;
}

/** A transport failure, saying whether the engine had already sent its response headers. */
export class DispatchFailure extends Error {
  constructor(readonly failure: unknown, readonly afterHeaders: boolean) {
    super(failure instanceof Error ? failure.message : 'dispatch failed', { cause: failure });
  }
}

export interface Cancellable {
  readonly signal: AbortSignal;
  readonly onCancel?: ((listener: () => void) => () => void) | undefined;
}

export function dispatchJson(dispatcher: Dispatcher, call: JsonCall, cancellable: Cancellable): Promise<RawAnswer> {
  return new Promise<RawAnswer>((resolve, reject) => {
    let status = 0;
    let contentType = '';
    const parts: Buffer[] = [];
    let controller: Dispatcher.DispatchController | undefined;
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      // Still waiting for a connection in the pool: there is no controller yet, so fail now
      // (the request is aborted the moment it starts) instead of waiting for a free connection.
      if (controller === undefined) reject(new DispatchFailure(new Error('cancelled before it was sent'), false));
      else controller.abort(new Error('cancelled'));
    };
    const unsubscribe = listenForCancel(cancellable, onAbort);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (cancelled) started.abort(new Error('cancelled'));
      },
      onResponseStart(_controller, statusCode, headers) {
        status = statusCode;
        const type = headers['content-type'];
        contentType = typeof type === 'string' ? type : '';
      },
      onResponseData(_controller, chunk) {
        parts.push(chunk);
      },
      onResponseEnd() {
        unsubscribe();
        resolve({ status, contentType, text: parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts).toString('utf8') });
      },
      onResponseError(_controller, error) {
        unsubscribe();
        reject(new DispatchFailure(error, status !== 0));
      },
    };
    dispatcher.dispatch({ path: call.path, method: call.method, headers: call.headers, body: call.body }, handler);
  });
}

function listenForCancel(cancellable: Cancellable, onAbort: () => void): () => void {
  if (cancellable.onCancel !== undefined) return cancellable.onCancel(onAbort);
  const signal = cancellable.signal;
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

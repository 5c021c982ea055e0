/**
 * Serves the built console (dist/console) at /console/: hashed assets cached for a year, every other
 * path answered with index.html so the browser's router shows the page. Files are read once and
 * kept with their .br/.gz twins (written at build time), so a request never compresses or touches
 * the disk. The Content-Security-Policy allows nothing but this origin: the console needs no CDN.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { NaraError } from '../spec/errors.js';

interface StaticFile {
  readonly type: string;
  readonly raw: Buffer;
  readonly br: Buffer | undefined;
  readonly gzip: Buffer | undefined;
}

const types: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const securityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export class ConsoleFiles {
  readonly #files = new Map<string, StaticFile>();

  private constructor(readonly root: string) {}

  /** The build under `root`, or undefined when there is none (index.html missing). */
  static load(root: string): ConsoleFiles | undefined {
    if (!existsSync(join(root, 'index.html'))) return undefined;
    const files = new ConsoleFiles(root);
    for (const path of walk(root)) {
      if (path.endsWith('.br') || path.endsWith('.gz')) continue;
      const name = `/${relative(root, path).split(sep).join('/')}`;
      files.#files.set(name, {
        type: types[extname(path)] ?? 'application/octet-stream',
        raw: readFileSync(path),
        br: readIfExists(`${path}.br`),
        gzip: readIfExists(`${path}.gz`),
      });
    }
    return files;
  }

  serve(request: IncomingMessage, response: ServerResponse, path: string, requestId: string): void {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') throw Object.assign(new NaraError('method_not_allowed', `${method} is not allowed on ${path.slice(0, 200)}.`), { allow: 'GET, HEAD' });
    if (path === '/console') {
      response.writeHead(302, { location: '/console/', 'x-request-id': requestId });
      response.end();
      return;
    }
    const name = path.slice('/console'.length);
    const asset = this.#files.get(name);
    if (asset === undefined && name.startsWith('/assets/')) throw new NaraError('route_not_found', `No console file ${path.slice(0, 200)}.`);
    const file = asset ?? (this.#files.get('/index.html') as StaticFile);
    // Hashed asset names change with their content; index.html must be fetched fresh each time.
    const cache = name.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    const accepted = String(request.headers['accept-encoding'] ?? '');
    const [body, encoding] =
      file.br !== undefined && /\bbr\b/.test(accepted) ? [file.br, 'br'] : file.gzip !== undefined && /\bgzip\b/.test(accepted) ? [file.gzip, 'gzip'] : [file.raw, undefined];
    response.writeHead(200, {
      ...securityHeaders,
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': cache,
      vary: 'accept-encoding',
      'x-request-id': requestId,
      ...(encoding === undefined ? {} : { 'content-encoding': encoding }),
    });
    response.end(method === 'HEAD' ? undefined : body);
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

function readIfExists(path: string): Buffer | undefined {
  return existsSync(path) ? readFileSync(path) : undefined;
}

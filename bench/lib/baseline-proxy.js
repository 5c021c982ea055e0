/**
 * The baseline: the smallest reasonable Node.js proxy, doing only the work any gateway must do.
 * A node:http server reads the body, JSON.parses it, forwards it with a keep-alive undici Pool
 * (256 connections, as Nara uses) and returns the engine's answer: JSON read whole, SSE piped
 * through as the bytes arrive. No auth, no routing, no metrics, no logging.
 * Usage: node bench/lib/baseline-proxy.js PORT ENGINE_ORIGIN  — prints its base URL when ready.
 */
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { Pool } from 'undici';

const port = Number(process.argv[2] ?? 0);
const pool = new Pool(process.argv[3], { connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });
const headers = { 'content-type': 'application/json' };
const streamHeaders = { ...headers, accept: 'text/event-stream' };

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    res.writeHead(400, headers).end('{"error":"invalid JSON"}');
    return;
  }
  // The body goes on as received; the parse is what any gateway needs to look at the request.
  const upstream = await pool.request({ method: req.method, path: req.url, headers: parsed?.stream === true ? streamHeaders : headers, body: text || undefined });
  if (String(upstream.headers['content-type']).includes('text/event-stream')) {
    res.writeHead(upstream.statusCode, { 'content-type': 'text/event-stream' });
    pipeline(upstream.body, res, () => {});
    return;
  }
  const answer = await upstream.body.text();
  res.writeHead(upstream.statusCode, headers).end(answer);
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    if (res.headersSent) res.destroy();
    else res.writeHead(502, headers).end(JSON.stringify({ error: String(error?.message ?? error) }));
  });
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));

const stop = () => server.close(() => void pool.close().then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

/**
 * Endpoints a run evaluates: any OpenAI-compatible server (vLLM, TGI, Ollama, llama.cpp, a foreign
 * API) or a Nara, each with the model to ask and its own concurrency and rate limit. Written on the
 * command line as `name=seed,url=http://host:8000/v1,model=hcx-seed,key-env=SEED_KEY,concurrency=16,rps=50`.
 */
export interface EndpointSpec {
  readonly name: string;
  /** Base URL ending in /v1. */
  readonly url: string;
  readonly model: string;
  /** The API key itself never goes into the run manifest; only where it came from. */
  readonly key: string | undefined;
  readonly keySource: string | undefined;
  readonly concurrency: number;
  /** Requests per second at most; undefined: no limit. */
  readonly ratePerSecond: number | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** The endpoint is a Nara reached with a tenant key: its stage verdicts are recorded. */
  readonly via: boolean;
}

export class EndpointSpecError extends Error {}

const fields = new Set(['name', 'url', 'model', 'key-env', 'concurrency', 'rps', 'timeout-ms', 'retries', 'via']);

function whole(raw: string, field: string, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) throw new EndpointSpecError(`${field} must be a whole number from 1 to ${max}, not ${JSON.stringify(raw)}`);
  return value;
}

/** Parses one `--endpoint` value; `env` supplies keys named by key-env. */
export function parseEndpointSpec(text: string, env: Readonly<Record<string, string | undefined>>): EndpointSpec {
  const values = new Map<string, string>();
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) throw new EndpointSpecError(`--endpoint ${JSON.stringify(text)}: write name=value pairs separated by commas (url=…,model=…)`);
    const name = part.slice(0, at).trim();
    if (!fields.has(name)) throw new EndpointSpecError(`--endpoint: unknown field "${name}"; use ${[...fields].join(', ')}`);
    values.set(name, part.slice(at + 1).trim());
  }
  const rawUrl = values.get('url');
  const model = values.get('model');
  if (rawUrl === undefined || model === undefined || model === '') throw new EndpointSpecError(`--endpoint ${JSON.stringify(text)}: needs url=… and model=…`);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new EndpointSpecError(`--endpoint: url ${JSON.stringify(rawUrl)} is not a URL (e.g. http://127.0.0.1:8000/v1)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EndpointSpecError(`--endpoint: url must be http or https, not ${url.protocol}`);
  const path = url.pathname.replace(/\/+$/, '');
  const base = `${url.origin}${path.endsWith('/v1') ? path : `${path}/v1`}`;
  const keyEnv = values.get('key-env');
  const key = keyEnv === undefined ? undefined : env[keyEnv];
  if (keyEnv !== undefined && (key === undefined || key === '')) throw new EndpointSpecError(`--endpoint: key-env=${keyEnv} but that variable is not set`);
  const rps = values.get('rps');
  return {
    name: values.get('name') ?? model,
    url: base,
    model,
    key,
    keySource: keyEnv === undefined ? undefined : `env:${keyEnv}`,
    concurrency: whole(values.get('concurrency') ?? '8', 'concurrency', 1024),
    ratePerSecond: rps === undefined ? undefined : whole(rps, 'rps', 1_000_000),
    timeoutMs: whole(values.get('timeout-ms') ?? '60000', 'timeout-ms', 3_600_000),
    maxRetries: values.get('retries') === '0' ? 0 : whole(values.get('retries') ?? '3', 'retries', 20),
    via: values.get('via') === 'true' || values.get('via') === 'nara',
  };
}

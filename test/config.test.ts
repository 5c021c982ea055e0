/** Configuration: checked once, with problems that name the file, line, path and fix. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../src/config/json-schema.js';
import { formatProblem, loadConfigText, loadConfigValue } from '../src/config/load.js';
import { parseEgressRule } from '../src/policy/egress.js';
import { jurisdictionName } from '../src/policy/jurisdiction.js';

const valid = `
backends:
  - id: seoul-vllm
    url: http://10.1.2.3:8000/v1/
    jurisdiction: kr
    models: [hcx-seed-1.5b, { name: exaone, upstream: LGAI-EXAONE/EXAONE-4.0-32B }]
    region: seoul-1
    operator: Ministry IT Center
    accelerator: H100
    cost: { inputPer1M: 0.2, outputPer1M: 0.6, currency: KRW }
    apiKeyEnv: SEOUL_KEY
    headers:
      x-tenant-tag: nara
      x-secret: { env: SEOUL_SECRET }
tenants:
  - id: ministry-of-interior
    jurisdictions: [KR]
`;
const env = { SEOUL_KEY: 'sk-engine', SEOUL_SECRET: 's3cret' };

describe('loading', () => {
  it('normalises a valid file: upper-case jurisdictions, aliases, secrets from the environment, defaults', () => {
    const { config, errors } = loadConfigText('nara.yaml', valid, { env });
    expect(errors).toEqual([]);
    const backend = config?.backends[0];
    expect(backend?.kind).toBe('http');
    if (backend?.kind !== 'http') return;
    expect(backend.url).toBe('http://10.1.2.3:8000/v1');
    expect(backend.jurisdiction).toBe('KR');
    expect(backend.models).toEqual([
      { name: 'hcx-seed-1.5b', upstream: 'hcx-seed-1.5b' },
      { name: 'exaone', upstream: 'LGAI-EXAONE/EXAONE-4.0-32B' },
    ]);
    expect(backend.headers).toMatchObject({ authorization: 'Bearer sk-engine', 'x-secret': 's3cret', 'x-tenant-tag': 'nara' });
    expect(backend.maxConcurrency).toBe(256);
    expect(backend.timeouts).toEqual({ connectMs: 2000, firstByteMs: 60000, idleMs: 30000 });
    expect(config?.server.port).toBe(8080);
    expect([...(config?.tenants[0]?.jurisdictions ?? [])]).toEqual(['KR']);
  });

  it('names the line, path and fix of a wrong jurisdiction', () => {
    const { config, errors } = loadConfigText('nara.yaml', valid.replace('jurisdiction: kr', 'jurisdiction: XQ'), { env });
    expect(config).toBeUndefined();
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error?.where).toBe('nara.yaml:5:19');
    expect(error?.path).toBe('backends[0].jurisdiction');
    expect(formatProblem(error!)).toContain('ISO 3166-1 alpha-2');
    expect(error?.fix).toContain('KR');
  });

  it('reports unknown fields, wrong types and missing fields with their place', () => {
    const broken = valid.replace('region: seoul-1', 'regoin: seoul-1').replace('accelerator: H100', 'maxConcurrency: lots');
    const { errors } = loadConfigText('nara.yaml', broken.replace('    models: [hcx-seed-1.5b,', '    modelz: [hcx-seed-1.5b,'), { env });
    const messages = errors.map(formatProblem);
    expect(messages.some((line) => /^nara\.yaml:7:\d+ backends\[0\]\.regoin: unknown field "regoin" \(fix: did you mean "region"\?\)$/.test(line))).toBe(true);
    expect(messages.some((line) => line.includes('backends[0].modelz') && line.includes('did you mean "models"?'))).toBe(true);
    expect(messages.some((line) => line.includes('backends[0].maxConcurrency') && line.includes('expected number'))).toBe(true);
    expect(messages.some((line) => line.includes('backends[0].models') && line.includes('required'))).toBe(true);
  });

  it('shows the wrong value next to what to write instead', () => {
    const { errors } = loadConfigText('nara.yaml', valid.replace('jurisdictions: [KR]', 'jurisdictions: [KOR]'), { env });
    expect(errors.map(formatProblem)).toEqual([
      'nara.yaml:17:21 tenants[0].jurisdictions[0]: "KOR" is not valid here (fix: use an ISO 3166-1 alpha-2 country code such as KR, TH or SA)',
    ]);
  });

  it('locates YAML syntax errors', () => {
    const { errors } = loadConfigText('nara.yaml', 'backends:\n  - id: a\n    url: [unclosed\n');
    expect(errors[0]?.where).toMatch(/^nara\.yaml:\d+:\d+$/);
    expect(errors[0]?.path).toBe('(yaml)');
  });

  it('says which environment variable to set for a missing engine secret', () => {
    const { errors } = loadConfigText('nara.yaml', valid, { env: { SEOUL_SECRET: 'x' } });
    expect(errors[0]?.path).toBe('backends[0].apiKeyEnv');
    expect(errors[0]?.fix).toContain('export SEOUL_KEY=');
  });

  it('refuses duplicate ids, a back end with both url and gguf, and URLs with credentials', () => {
    const value = {
      backends: [
        { id: 'a', url: 'http://user:pw@engine:8000/v1', jurisdiction: 'KR', models: ['m'] },
        { id: 'a', url: 'http://engine:8000/v1', gguf: 'x.gguf', jurisdiction: 'KR', models: ['m'] },
      ],
      tenants: [{ id: 't', jurisdictions: ['KR'] }],
    };
    const messages = loadConfigValue('x.yaml', value).errors.map((problem) => problem.message);
    expect(messages).toContain('id "a" is used twice in backends');
    expect(messages.some((message) => message.includes('exactly one of "url" or "gguf"'))).toBe(true);
    expect(messages.some((message) => message.includes('credentials in the URL'))).toBe(true);
  });

  it('warns about a tenant that can reach nothing', () => {
    const { config, warnings } = loadConfigText('nara.yaml', valid.replace('jurisdictions: [KR]', 'jurisdictions: [TH]'), { env });
    expect(config).toBeDefined();
    expect(warnings[0]?.message).toContain('no back end runs in TH');
  });
});

describe('egress allow-list (operator-chosen engine hosts)', () => {
  const withEgress = (allow: string, url: string) => ({
    egress: { allowHosts: allow.split(',') },
    backends: [{ id: 'a', url, jurisdiction: 'KR', models: ['m'] }],
    tenants: [{ id: 't', jurisdictions: ['KR'] }],
  });

  it('allows in-cluster hosts and private ranges the operator lists', () => {
    expect(loadConfigValue('x', withEgress('*.svc.cluster.local', 'http://vllm.models.svc.cluster.local:8000/v1')).errors).toEqual([]);
    expect(loadConfigValue('x', withEgress('10.0.0.0/8', 'http://10.20.30.40:8000/v1')).errors).toEqual([]);
    expect(loadConfigValue('x', withEgress('fd00::/8', 'http://[fd12::1]:8000/v1')).errors).toEqual([]);
  });

  it('refuses hosts outside the list, and metadata addresses always', () => {
    const outside = loadConfigValue('x', withEgress('*.svc.cluster.local', 'http://engine.example.com/v1')).errors;
    expect(outside[0]?.message).toContain('not in egress.allowHosts');
    const metadata = loadConfigValue('x', withEgress('169.254.0.0/16', 'http://169.254.169.254/v1')).errors;
    expect(metadata[0]?.message).toContain('cloud metadata address');
    for (const url of ['http://metadata.google.internal./v1', 'http://100.100.100.200/v1', 'http://[::ffff:169.254.169.254]/v1']) {
      const value = { backends: [{ id: 'a', url, jurisdiction: 'KR', models: ['m'] }], tenants: [{ id: 't', jurisdictions: ['KR'] }] };
      expect(loadConfigValue('x', value).errors.map((problem) => problem.message).join(), url).toContain('cloud metadata address');
    }
  });

  it('rejects nonsense patterns', () => {
    expect(parseEgressRule('10.0.0.0/99')).toContain('not a CIDR');
    expect(parseEgressRule('*.')).toContain('too broad');
    expect(parseEgressRule('a.*.b')).toContain('only use * as its first label');
  });
});

describe('jurisdiction codes', () => {
  it('knows assigned ISO 3166-1 codes and refuses the rest', () => {
    expect(jurisdictionName('kr')).toBe('South Korea');
    expect(jurisdictionName('SA')).toBe('Saudi Arabia');
    expect(jurisdictionName('XQ')).toBeUndefined();
    expect(jurisdictionName('ZZ')).toBeUndefined();
    expect(jurisdictionName('KOR')).toBeUndefined();
  });
});

describe('JSON Schema for editors', () => {
  it('is committed and matches the code', () => {
    const committed = readFileSync(new URL('../schema/nara.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(configJsonSchemaText());
  });
});

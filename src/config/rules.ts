/**
 * Rules that span fields: unique ids, real jurisdiction codes, engine URLs inside the egress
 * allow-list, secrets present in the environment, tenants that can reach something.
 * Each problem says where it is and how to fix it.
 */
import { isJurisdiction } from '../policy/jurisdiction.js';
import { isMetadataAddress, parseEgressRule, type EgressRule } from '../policy/egress.js';
import type { RawConfig } from './schema.js';
import { formatPath, type PathSegment } from './yaml-source.js';
import type { ConfigProblem } from './types.js';

export interface RuleContext {
  locate(path: readonly PathSegment[]): string;
  env: Readonly<Record<string, string | undefined>>;
  /** False for commands that never call an engine (`nara keys`), so they run without engine secrets. */
  requireSecrets: boolean;
  /** Whether database.url / redis.url from the environment must be set. */
  requireStoreSecrets: boolean;
  fileExists(path: string): boolean;
  resolvePath(path: string): string;
}

export interface RuleReport {
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

export function checkRules(raw: RawConfig, context: RuleContext): RuleReport {
  const report: RuleReport = { errors: [], warnings: [] };
  const problem = (path: PathSegment[], message: string, fix: string): ConfigProblem => ({
    where: context.locate(path),
    path: formatPath(path),
    message,
    fix,
  });
  const error = (path: PathSegment[], message: string, fix: string) =>
    report.errors.push(problem(path, message, fix));
  const warn = (path: PathSegment[], message: string, fix: string) =>
    report.warnings.push(problem(path, message, fix));

  const egressRules: EgressRule[] = [];
  raw.egress.allowHosts.forEach((pattern, index) => {
    const rule = parseEgressRule(pattern);
    if (typeof rule === 'string') error(['egress', 'allowHosts', index], rule, 'correct or remove this entry');
    else egressRules.push(rule);
  });

  checkStoreUrl(raw.database.url, ['database', 'url'], ['postgres:', 'postgresql:'], 'postgres://user@host:5432/nara', context.requireStoreSecrets, context, error, warn);
  // Only a serving process uses Redis: `nara keys` and friends run without its URL.
  checkStoreUrl(raw.redis.url, ['redis', 'url'], ['redis:', 'rediss:'], 'redis://host:6379', context.requireStoreSecrets && context.requireSecrets, context, error, warn);

  checkUniqueIds(raw.backends, 'backends', error);
  checkUniqueIds(raw.tenants, 'tenants', error);

  raw.backends.forEach((backend, index) => {
    const at: PathSegment[] = ['backends', index];
    if (!isJurisdiction(backend.jurisdiction)) {
      error([...at, 'jurisdiction'], `"${backend.jurisdiction}" is not an ISO 3166-1 alpha-2 code`, 'use a code such as KR, TH, ID, VN, PH, SG, SA or AE');
    }
    if ((backend.url === undefined) === (backend.gguf === undefined)) {
      error(at, `back end "${backend.id}" must have exactly one of "url" or "gguf"`, 'set url: for an engine over HTTP, or gguf: for a model file served in-process');
    }
    if (backend.url !== undefined) checkUrl(backend.url, [...at, 'url'], egressRules, raw.egress.allowHosts.length > 0, error);
    if (backend.gguf !== undefined && !context.fileExists(context.resolvePath(backend.gguf))) {
      error([...at, 'gguf'], `GGUF file ${context.resolvePath(backend.gguf)} does not exist`, 'give the path of a .gguf model file (relative paths start at the config file)');
    }
    if (context.requireSecrets && backend.apiKeyEnv !== undefined && !context.env[backend.apiKeyEnv]) {
      error([...at, 'apiKeyEnv'], `environment variable ${backend.apiKeyEnv} is not set`, `export ${backend.apiKeyEnv}=<the engine's API key> before starting Nara`);
    }
    for (const [header, value] of Object.entries(backend.headers)) {
      if (context.requireSecrets && typeof value !== 'string' && !context.env[value.env]) {
        error([...at, 'headers', header, 'env'], `environment variable ${value.env} for header ${header} is not set`, `export ${value.env}=<value> before starting Nara`);
      }
    }
    const names = new Set<string>();
    backend.models.forEach((model, modelIndex) => {
      const name = typeof model === 'string' ? model : model.name;
      if (names.has(name)) error([...at, 'models', modelIndex], `model "${name}" is listed twice`, 'remove the duplicate');
      names.add(name);
    });
  });

  const servedJurisdictions = new Set(raw.backends.map((backend) => backend.jurisdiction.toUpperCase()));
  const servedModels = new Set(raw.backends.flatMap((backend) => backend.models.map((m) => (typeof m === 'string' ? m : m.name))));
  raw.tenants.forEach((tenant, index) => {
    tenant.jurisdictions.forEach((code, codeIndex) => {
      if (!isJurisdiction(code)) {
        error(['tenants', index, 'jurisdictions', codeIndex], `"${code}" is not an ISO 3166-1 alpha-2 code`, 'use a code such as KR, TH, ID, VN, PH, SG, SA or AE');
      }
    });
    if (!tenant.jurisdictions.some((code) => servedJurisdictions.has(code.toUpperCase()))) {
      warn(['tenants', index, 'jurisdictions'], `no back end runs in ${tenant.jurisdictions.join(', ')}, so tenant "${tenant.id}" can reach no model`, 'add a back end in one of these jurisdictions, or widen the policy if the law allows it');
    }
    if (tenant.homeJurisdiction !== undefined && !tenant.jurisdictions.some((code) => code.toUpperCase() === tenant.homeJurisdiction?.toUpperCase())) {
      error(['tenants', index, 'homeJurisdiction'], `home jurisdiction ${tenant.homeJurisdiction} is not among the tenant's jurisdictions`, `add ${tenant.homeJurisdiction.toUpperCase()} to jurisdictions, or correct homeJurisdiction`);
    }
    const hasBudget = ['tokensPerDay', 'tokensPerMonth', 'costPerDay', 'costPerMonth'].some((kind) => tenant.limits[kind as keyof typeof tenant.limits] !== undefined);
    if (hasBudget && !raw.metering.enabled) {
      error(['tenants', index, 'limits'], 'budgets need the usage ledger, but metering.enabled is false', 'turn metering back on, or remove the budgets');
    }
    const hasCostBudget = tenant.limits.costPerDay !== undefined || tenant.limits.costPerMonth !== undefined;
    const currency = tenant.budgetCurrency ?? raw.backends[0]?.cost.currency;
    if (hasCostBudget && !raw.backends.some((backend) => backend.cost.currency === currency)) {
      warn(['tenants', index, 'limits'], `no back end is priced in ${currency ?? 'the budget currency'}, so this spending budget never counts anything`, 'set budgetCurrency to the currency of backends[].cost, or price the back ends');
    }
    const outsideHome = tenant.pii?.outsideHome ?? raw.pii.outsideHome;
    if (outsideHome !== undefined && tenant.homeJurisdiction === undefined) {
      warn(
        ['tenants', index, tenant.pii?.outsideHome === undefined ? 'homeJurisdiction' : 'pii'],
        `pii.outsideHome (${outsideHome}) applies to every back end of tenant "${tenant.id}", which names no homeJurisdiction`,
        'set homeJurisdiction to the tenant\'s own country so back ends there get pii.mode',
      );
    }
    tenant.models?.forEach((model, modelIndex) => {
      if (!servedModels.has(model)) {
        warn(['tenants', index, 'models', modelIndex], `no back end serves model "${model}"`, 'check the spelling against backends[].models');
      }
    });
  });
  if (context.requireSecrets && raw.pii.secretEnv !== undefined && !context.env[raw.pii.secretEnv]) {
    error(['pii', 'secretEnv'], `environment variable ${raw.pii.secretEnv} is not set`, `export ${raw.pii.secretEnv}=<a long random string, the same on every replica> before starting Nara`);
  }
  if (raw.tenants.length === 0) {
    warn(['tenants'], 'no tenants are configured, so no API key can be used', 'add a tenant with the jurisdictions its data may go to');
  }
  checkConsole(raw, context, error, warn);
  return report;
}

/** Single sign-on without its secret, over plain http, or with nobody able to manage tenants, is said at start. */
function checkConsole(raw: RawConfig, context: RuleContext, error: (path: PathSegment[], message: string, fix: string) => void, warn: (path: PathSegment[], message: string, fix: string) => void): void {
  const oidc = raw.console.oidc;
  if (oidc === undefined) return;
  if (oidc.clientSecretEnv !== undefined && context.requireSecrets && (context.env[oidc.clientSecretEnv] ?? '') === '') {
    error(['console', 'oidc', 'clientSecretEnv'], `environment variable ${oidc.clientSecretEnv} (the OIDC client secret) is not set`, `export ${oidc.clientSecretEnv}=<client secret>, or remove clientSecretEnv for a public client`);
  }
  if (oidc.issuer.startsWith('http:') && !oidc.allowInsecureHttp) {
    error(['console', 'oidc', 'issuer'], 'the issuer is plain http: tokens would cross the network unprotected', 'use the https:// issuer URL (allowInsecureHttp: true is for tests and labs only)');
  }
  if (!Object.values(oidc.roles).includes('operator')) {
    warn(['console', 'oidc', 'roles'], 'no claim value maps to the operator role: nobody signing in by SSO can manage tenants', 'map a group to operator, or keep the admin token for operators');
  }
}

/**
 * A store URL named through an unset variable must fail loudly: silently falling back to the
 * embedded store would split one gateway's tenants, keys and usage across replicas.
 */
function checkStoreUrl(
  value: string | { env: string } | undefined,
  path: PathSegment[],
  schemes: readonly string[],
  example: string,
  required: boolean,
  context: RuleContext,
  error: (path: PathSegment[], message: string, fix: string) => void,
  warn: (path: PathSegment[], message: string, fix: string) => void,
): void {
  if (value === undefined) return;
  if (typeof value !== 'string') {
    if (required && !context.env[value.env]) {
      error([...path, 'env'], `environment variable ${value.env} is not set`, `export ${value.env}=${example} before starting Nara`);
    }
    return;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    error(path, 'not a URL', `write it as ${example}`);
    return;
  }
  if (!schemes.includes(url.protocol)) error(path, `"${url.protocol}" is not a ${schemes[0]?.slice(0, -1)} URL`, `write it as ${example}`);
  if (url.password !== '') warn(path, 'the URL holds a password in the configuration file', `use { env: NAME } and keep the URL in the environment`);
}

function checkUniqueIds(items: readonly { id: string }[], list: string, error: (path: PathSegment[], message: string, fix: string) => void): void {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (seen.has(item.id)) error([list, index, 'id'], `id "${item.id}" is used twice in ${list}`, 'give each entry its own id');
    seen.add(item.id);
  });
}

function checkUrl(
  text: string,
  path: PathSegment[],
  egressRules: readonly EgressRule[],
  egressRestricted: boolean,
  error: (path: PathSegment[], message: string, fix: string) => void,
): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    error(path, `"${text}" is not a URL`, 'write the engine base URL, e.g. http://10.1.2.3:8000/v1');
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    error(path, `"${url.protocol}" URLs are not supported`, 'use http:// or https://');
    return;
  }
  if (url.username !== '' || url.password !== '') {
    error(path, 'credentials in the URL would end up in logs', 'remove them and use apiKeyEnv or headers: { env: NAME }');
  }
  if (url.search !== '' || url.hash !== '') {
    error(path, 'the engine URL must not carry a query or fragment', 'use the base URL only, e.g. http://host:8000/v1');
  }
  if (isMetadataAddress(url.hostname)) {
    error(path, `${url.hostname} is a cloud metadata address, never an engine`, 'point the back end at the engine itself');
  }
  if (egressRestricted && !egressRules.some((rule) => rule.matches(url.hostname))) {
    error(path, `host ${url.hostname} is not in egress.allowHosts`, `add "${url.hostname}" (or a wildcard or CIDR covering it) to egress.allowHosts`);
  }
}

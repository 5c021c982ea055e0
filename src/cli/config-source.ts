/**
 * Where `nara` gets its configuration: --config, then NARA_CONFIG, then a config built from flags
 * (--backend-url / --gguf), then ./nara.yaml. Every path ends in one checked result.
 */
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { formatProblem, loadConfigFile, loadConfigValue } from '../config/load.js';
import { isJurisdiction } from '../policy/jurisdiction.js';
import type { ConfigResult, NaraConfig } from '../config/types.js';
import { UsageError } from './cli-error.js';

export interface ConfigFlags {
  readonly config?: string | undefined;
  readonly backendUrl?: string | undefined;
  readonly gguf?: string | undefined;
  readonly jurisdiction?: string | undefined;
  readonly model?: string | undefined;
  readonly dataDir?: string | undefined;
}

export interface ResolvedConfig {
  readonly result: ConfigResult;
  /** The file to re-read on SIGHUP, when there is one. */
  readonly file: string | undefined;
}

export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const file = flags.config ?? env.NARA_CONFIG;
  if (file !== undefined && file !== '') return fromFile(file, flags);
  if (flags.backendUrl !== undefined || flags.gguf !== undefined) return { result: fromFlags(flags, env), file: undefined };
  if (existsSync('nara.yaml')) return fromFile('nara.yaml', flags);
  throw new UsageError('No configuration: pass --config nara.yaml (or set NARA_CONFIG), or serve one engine with --backend-url URL --model NAME --jurisdiction CC, or --gguf PATH --jurisdiction CC.');
}

/** Engine flags make no sense next to a file that names the engines: say so rather than ignore them. */
function fromFile(file: string, flags: ConfigFlags): ResolvedConfig {
  const engineFlags = (['backendUrl', 'gguf', 'jurisdiction', 'model'] as const).filter((name) => flags[name] !== undefined);
  if (engineFlags.length > 0) {
    const shown = engineFlags.map((name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`).join(', ');
    throw new UsageError(`${shown} cannot be combined with a configuration file (${file}); describe the engines in the file instead.`);
  }
  const result = loadConfigFile(file);
  if (flags.dataDir === undefined || result.config === undefined) return { result, file };
  const config = result.config;
  const dataDir = resolve(flags.dataDir);
  // The audit log moves with the data directory unless the file puts it somewhere of its own.
  const auditDir = config.audit.dir === join(config.dataDir, 'audit') ? join(dataDir, 'audit') : config.audit.dir;
  return { result: { ...result, config: { ...config, dataDir, audit: { ...config.audit, dir: auditDir } } }, file };
}

function fromFlags(flags: ConfigFlags, env: NodeJS.ProcessEnv): ConfigResult {
  if (flags.backendUrl !== undefined && flags.gguf !== undefined) throw new UsageError('Give either --backend-url or --gguf, not both.');
  if (flags.jurisdiction === undefined) {
    throw new UsageError('Say where the engine runs with --jurisdiction CC (ISO 3166-1 alpha-2, e.g. KR): Nara never guesses a jurisdiction.');
  }
  if (!isJurisdiction(flags.jurisdiction)) {
    throw new UsageError(`--jurisdiction "${flags.jurisdiction}" is not an ISO 3166-1 alpha-2 code: use two letters such as KR, TH, ID, VN, PH, SG, SA or AE.`);
  }
  const models = flags.model?.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (flags.backendUrl !== undefined && (models === undefined || models.length === 0)) {
    throw new UsageError('Name the model(s) the engine serves with --model NAME[,NAME...].');
  }
  const gguf = flags.gguf;
  const backend = {
    id: 'default',
    jurisdiction: flags.jurisdiction,
    ...(gguf === undefined ? { url: flags.backendUrl } : { gguf }),
    models: models ?? [basename(gguf ?? 'local', extname(gguf ?? '')) || 'local'],
  };
  return loadConfigValue('<flags>', {
    dataDir: flags.dataDir ?? env.NARA_DATA_DIR ?? '.nara',
    backends: [backend],
    tenants: [{ id: 'default', jurisdictions: [flags.jurisdiction] }],
  });
}

/** Prints problems and returns the config, or throws a UsageError when there are errors. */
export function requireConfig(resolved: ResolvedConfig, warn: (line: string) => void): NaraConfig {
  for (const warning of resolved.result.warnings) warn(`warning: ${formatProblem(warning)}`);
  if (resolved.result.config === undefined) {
    const lines = resolved.result.errors.map((problem) => `  ${formatProblem(problem)}`);
    throw new UsageError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return resolved.result.config;
}

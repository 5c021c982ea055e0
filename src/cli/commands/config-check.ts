/** `nara config check FILE` and `nara config schema`. */
import { configJsonSchemaText } from '../../config/json-schema.js';
import { formatProblem, loadConfigFile } from '../../config/load.js';

export function configCheckCommand(file: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream, options: { requireSecrets: boolean }): number {
  const result = loadConfigFile(file, { requireSecrets: options.requireSecrets, requireStoreSecrets: options.requireSecrets });
  for (const warning of result.warnings) err.write(`warning: ${formatProblem(warning)}\n`);
  if (result.config === undefined) {
    for (const error of result.errors) err.write(`error: ${formatProblem(error)}\n`);
    err.write(`${file}: ${result.errors.length} error(s); Nara would not start with this configuration.\n`);
    return 2;
  }
  const config = result.config;
  out.write(`${file}: OK (${config.backends.length} back end(s), ${config.tenants.length} tenant(s), ${result.warnings.length} warning(s))\n`);
  return 0;
}

export function configSchemaCommand(out: NodeJS.WritableStream): number {
  out.write(configJsonSchemaText());
  return 0;
}

/** `nara serve`: start the gateway; SIGHUP reloads the config file, SIGTERM/SIGINT drain and stop. */
import { startNara } from '../../app/nara-app.js';
import { flushLogs } from '../../observability/logger.js';
import { formatProblem, loadConfigFile } from '../../config/load.js';
import { requireConfig, resolveConfig, type ConfigFlags } from '../config-source.js';
import { UsageError } from '../cli-error.js';

export interface ServeFlags extends ConfigFlags {
  readonly host?: string | undefined;
  readonly port?: string | undefined;
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new UsageError(`--port must be a number from 0 to 65535, not "${flags.port}".`);
  }
  const resolved = resolveConfig(flags);
  const config = requireConfig(resolved, (line) => process.stderr.write(`${line}\n`));

  // Installed before starting, so that a signal during start-up still ends in an orderly stop.
  let stopSignal: string | undefined;
  let onStop: (() => void) | undefined;
  const stop = (signal: string) => {
    if (stopSignal !== undefined) return; // already draining; the grace period bounds it
    stopSignal = signal;
    onStop?.();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  let reload: () => void = () => undefined;
  process.on('SIGHUP', () => reload());

  const nara = await startNara(config, { host: flags.host, port });
  const { logger } = nara;
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (a bug; the request it belonged to was answered or dropped)'));

  reload = () => {
    void nara.reloadKeys().catch((error: unknown) => logger.error({ err: error }, 'SIGHUP: cannot re-read tenants and keys'));
    if (resolved.file === undefined) {
      logger.info('SIGHUP: API keys re-read (the configuration comes from flags, so there is no file to reload)');
      return;
    }
    const result = loadConfigFile(resolved.file);
    if (result.config === undefined) {
      logger.error({ errors: result.errors.map(formatProblem) }, 'reload refused: the new configuration is invalid; still serving the previous one');
      return;
    }
    nara.reload(result.config).catch((error: unknown) => logger.error({ err: error }, 'reload failed; still serving the previous configuration'));
  };

  if (stopSignal === undefined) await new Promise<void>((resolve) => (onStop = resolve));
  logger.info({ signal: stopSignal }, 'draining and shutting down');
  await nara.close();
  logger.info('stopped');
  await flushLogs(logger);
  return 0;
}

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
  const nara = await startNara(config, { host: flags.host, port });
  const { logger } = nara;
  logger.info({ url: nara.url, config: config.source, backends: config.backends.map((b) => `${b.id}@${b.jurisdiction}`) }, 'Nara is listening');

  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection (a bug; the request it belonged to was answered or dropped)'));

  if (resolved.file !== undefined) {
    const file = resolved.file;
    process.on('SIGHUP', () => {
      nara.reloadKeys();
      const result = loadConfigFile(file);
      if (result.config === undefined) {
        logger.error({ errors: result.errors.map(formatProblem) }, 'reload refused: the new configuration is invalid; still serving the previous one');
        return;
      }
      nara.reload(result.config).catch((error: unknown) => logger.error({ err: error }, 'reload failed; still serving the previous configuration'));
    });
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'draining and shutting down');
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await nara.close();
  logger.info('stopped');
  await flushLogs(logger);
  return 0;
}

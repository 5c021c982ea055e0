/**
 * The `nara` command line. Thin: it parses arguments, loads each command lazily, and turns errors
 * into exit codes (0 ok, 1 runtime error, 2 usage or configuration error).
 */
import { Command, CommanderError, Option } from 'commander';
import { exitCodes, UsageError } from './cli-error.js';

const io = { out: process.stdout, err: process.stderr };

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('nara')
    .description('Nara: a sovereign AI gateway. One OpenAI-compatible API over your own engines, with jurisdiction-aware routing.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const configOption = () => new Option('-c, --config <file>', 'configuration file (default: $NARA_CONFIG, then ./nara.yaml)');

  program
    .command('serve')
    .description('Start the gateway.')
    .addOption(configOption())
    .option('--host <host>', 'address to listen on (overrides server.host)')
    .option('-p, --port <port>', 'port to listen on (overrides server.port; 0 picks a free one)')
    .option('--backend-url <url>', 'without a config file: one OpenAI-compatible engine at this base URL')
    .option('--gguf <path>', 'without a config file: serve this GGUF model in-process with llama.cpp')
    .option('--jurisdiction <cc>', 'without a config file: ISO 3166-1 alpha-2 code of where the engine runs')
    .option('--model <names>', 'without a config file: model name(s) the engine serves, comma-separated')
    .option('--data-dir <dir>', 'where API keys are kept (overrides dataDir; default .nara)')
    .action(async (flags: Record<string, string | undefined>) => {
      const { serveCommand } = await import('./commands/serve.js');
      setExit(await serveCommand(flags));
    });

  const config = program.command('config').description('Check configuration files.');
  config
    .command('check')
    .description('Validate a configuration file the way `nara serve` would, without starting.')
    .argument('<file>', 'the nara.yaml to check')
    .option('--no-secrets', 'do not require the engine secrets (apiKeyEnv, headers from env) to be set, e.g. in CI')
    .action(async (file: string, flags: { secrets: boolean }) => {
      const { configCheckCommand } = await import('./commands/config-check.js');
      setExit(configCheckCommand(file, io.out, io.err, { requireSecrets: flags.secrets }));
    });
  config
    .command('schema')
    .description('Print the JSON Schema of nara.yaml (for editors).')
    .action(async () => {
      const { configSchemaCommand } = await import('./commands/config-check.js');
      setExit(configSchemaCommand(io.out));
    });

  const keys = program.command('keys').description('Manage API keys (stored hashed under the data directory).');
  const storeOptions = (command: Command) =>
    command.addOption(configOption()).option('--data-dir <dir>', 'data directory (default: the config dataDir, $NARA_DATA_DIR, or .nara)');
  storeOptions(keys.command('create'))
    .description('Create a key for a tenant and print it once.')
    .requiredOption('--tenant <id>', 'the tenant the key belongs to')
    .option('--name <name>', 'a label to tell keys apart')
    .action(async (flags: { tenant: string; name?: string; config?: string; dataDir?: string }) => {
      const { keysCreateCommand } = await import('./commands/keys.js');
      setExit(keysCreateCommand(flags, io));
    });
  storeOptions(keys.command('list'))
    .description('List keys (never the keys themselves).')
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'machine-readable output')
    .action(async (flags: { tenant?: string; json?: boolean; config?: string; dataDir?: string }) => {
      const { keysListCommand } = await import('./commands/keys.js');
      setExit(keysListCommand(flags, io));
    });
  storeOptions(keys.command('revoke'))
    .description('Revoke a key by its id (from `nara keys list`).')
    .argument('<id>', 'key id, e.g. key_1a2b3c4d5e6f')
    .action(async (id: string, flags: { config?: string; dataDir?: string }) => {
      const { keysRevokeCommand } = await import('./commands/keys.js');
      setExit(keysRevokeCommand({ ...flags, id }, io));
    });

  program
    .command('make-tiny-model')
    .description('Write a tiny random-weight GGUF model for trying Nara without downloading one (it answers gibberish).')
    .argument('<file>', 'where to write the .gguf file')
    .action(async (file: string) => {
      const { writeTinyGguf } = await import('../dev/tiny-gguf.js');
      await writeTinyGguf(file).catch((error: unknown) => {
        const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : String(error);
        throw new Error(`cannot write ${file}: ${reason}`);
      });
      io.err.write(`Wrote ${file}. Try: nara serve --gguf ${file} --jurisdiction KR\n`);
      setExit(0);
    });

  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  let exitCode: number = exitCodes.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (error instanceof UsageError) {
      io.err.write(`nara: ${error.message}\n`);
      return exitCodes.usage;
    }
    io.err.write(`nara: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.runtime;
  }
}

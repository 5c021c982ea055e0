/**
 * The `nara` command line. Thin: it parses arguments, loads each command lazily, and turns errors
 * into exit codes (0 ok, 1 runtime error, 2 usage or configuration error).
 */
import type { ProvenanceDetectFlags, ProvenanceVerifyFlags } from './commands/provenance.js';
import { naraVersion } from '../spec/version.js';
import type { AuditFlags as AuditDirFlags, ReportFlags as AuditReportFlags } from './commands/audit.js';
import { Command, CommanderError, Option } from 'commander';
import { exitCodes, UsageError } from './cli-error.js';
// Types only: the commands themselves load lazily, when run.
import type { KeysCreateFlags, KeysRotateFlags } from './commands/keys.js';
import type { PiiRedactFlags } from './commands/pii.js';
import type { TenantFlags } from './commands/tenants.js';
import type { UsageFlags } from './commands/usage.js';
import type { SafetyEvalFlags } from './commands/safety-eval.js';
import type { EvalRunFlags, TokenTaxFlags } from './commands/eval.js';

const io = { out: process.stdout, err: process.stderr };

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('nara')
    .description('Nara: a sovereign AI gateway. One OpenAI-compatible API over your own engines, with jurisdiction-aware routing.')
    .version(naraVersion)
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

  const storeOptions = (command: Command) =>
    command.addOption(configOption()).option('--data-dir <dir>', 'data directory (default: the config dataDir, $NARA_DATA_DIR, or .nara)');
  const limitOptions = (command: Command) =>
    command
      .option('--rpm <n>', 'requests per minute')
      .option('--tpm <n>', 'prompt + completion tokens per minute')
      .option('--concurrency <n>', 'requests in flight at once')
      .option('--tokens-per-day <n>', 'token budget per UTC day')
      .option('--tokens-per-month <n>', 'token budget per UTC month')
      .option('--cost-per-day <amount>', 'spending budget per UTC day, in the budget currency')
      .option('--cost-per-month <amount>', 'spending budget per UTC month, in the budget currency');

  const tenants = program
    .command('tenants')
    .description('Manage tenants kept in the store (tenants declared in nara.yaml are listed, but change only there).');
  storeOptions(tenants.command('list'))
    .description('List tenants: those in nara.yaml (managed by config) and those created here (managed by admin).')
    .option('--json', 'machine-readable output')
    .action(async (flags: { json?: boolean; config?: string; dataDir?: string }) => {
      const { tenantsListCommand } = await import('./commands/tenants.js');
      setExit(await tenantsListCommand(flags, io));
    });
  storeOptions(tenants.command('show'))
    .description('Show one tenant as JSON.')
    .argument('<id>', 'tenant id')
    .action(async (id: string, flags: { config?: string; dataDir?: string }) => {
      const { tenantsShowCommand } = await import('./commands/tenants.js');
      setExit(await tenantsShowCommand({ ...flags, id }, io));
    });
  const tenantFields = (command: Command) =>
    limitOptions(
      storeOptions(command)
        .option('--id <id>', 'tenant id: 1-63 lower-case letters, digits, ".", "_" or "-"')
        .option('--name <name>', 'display name')
        .option('--jurisdictions <codes>', "where the tenant's data may go, ISO 3166-1 alpha-2, comma-separated (e.g. KR,TH)")
        .option('--home <code>', "the tenant's own country; one of its jurisdictions")
        .option('--models <names>', 'allow-list of model names, comma-separated (default: every model in its jurisdictions)')
        .option('--contact <text>', 'who to call about this tenant, e.g. an e-mail address')
        .option('--budget-currency <code>', 'ISO 4217 currency of the cost budgets, e.g. KRW')
        .option('--pii-mode <mode>', 'personal data in prompts: off, detect, pseudonymise, redact or block (for back ends at home when --pii-outside-home is given)')
        .option('--pii-outside-home <mode>', 'personal data in prompts to back ends outside --home: off, detect, pseudonymise, redact or block')
        .option('--from-json <file>', 'read the fields from a JSON file ("-" for stdin); flags override them'),
    );
  tenantFields(tenants.command('create'))
    .description('Create a tenant; prints it as JSON.')
    .action(async (flags: TenantFlags) => {
      const { tenantsCreateCommand } = await import('./commands/tenants.js');
      setExit(await tenantsCreateCommand(flags, io));
    });
  tenantFields(tenants.command('update'))
    .description('Change the fields given (in --from-json, null removes one); prints the tenant as JSON.')
    .argument('[id]', 'tenant id (or --id)')
    .action(async (target: string | undefined, flags: TenantFlags) => {
      const { tenantsUpdateCommand } = await import('./commands/tenants.js');
      setExit(await tenantsUpdateCommand({ ...flags, target }, io));
    });
  storeOptions(tenants.command('delete'))
    .description('Delete a tenant created here; its keys are revoked.')
    .argument('<id>', 'tenant id')
    .action(async (id: string, flags: { config?: string; dataDir?: string }) => {
      const { tenantsDeleteCommand } = await import('./commands/tenants.js');
      setExit(await tenantsDeleteCommand({ ...flags, id }, io));
    });

  const keys = program.command('keys').description('Manage API keys (shown once, stored hashed).');
  limitOptions(storeOptions(keys.command('create')))
    .description('Create a key for a tenant and print it once (alone on stdout).')
    .requiredOption('--tenant <id>', 'the tenant the key belongs to')
    .option('--name <name>', 'a label to tell keys apart')
    .option('--expires-in-days <days>', 'refuse the key after this many days')
    .option('--expires-at <time>', 'refuse the key after this ISO 8601 time')
    .option('--models <names>', "models this key may use, comma-separated (within its tenant's)")
    .option('--json', 'print the key with its details as JSON')
    .action(async (flags: KeysCreateFlags) => {
      const { keysCreateCommand } = await import('./commands/keys.js');
      setExit(await keysCreateCommand(flags, io));
    });
  storeOptions(keys.command('list'))
    .description('List keys (never the keys themselves nor their hashes).')
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'machine-readable output')
    .action(async (flags: { tenant?: string; json?: boolean; config?: string; dataDir?: string }) => {
      const { keysListCommand } = await import('./commands/keys.js');
      setExit(await keysListCommand(flags, io));
    });
  storeOptions(keys.command('revoke'))
    .description('Revoke a key by its id (from `nara keys list`); a running Nara refuses it within about a second.')
    .argument('<id>', 'key id, e.g. key_1a2b3c4d5e6f')
    .option('--tenant <id>', 'only if the key belongs to this tenant')
    .action(async (id: string, flags: { config?: string; dataDir?: string; tenant?: string }) => {
      const { keysRevokeCommand } = await import('./commands/keys.js');
      setExit(await keysRevokeCommand({ ...flags, id }, io));
    });
  storeOptions(keys.command('rotate'))
    .description('Replace a key: print a new one (same tenant, name, limits, models) and revoke the old one after a grace period.')
    .argument('<id>', 'key id, e.g. key_1a2b3c4d5e6f')
    .option('--grace-seconds <seconds>', 'how long the old key keeps working (default 0: revoked at once)')
    .option('--expires-in-days <days>', "the new key's lifetime (default: the old key's)")
    .option('--expires-at <time>', 'refuse the new key after this ISO 8601 time')
    .option('--tenant <id>', 'only if the key belongs to this tenant')
    .option('--json', 'print the new key with its details as JSON')
    .action(async (id: string, flags: Omit<KeysRotateFlags, 'id'>) => {
      const { keysRotateCommand } = await import('./commands/keys.js');
      setExit(await keysRotateCommand({ ...flags, id }, io));
    });

  storeOptions(program.command('usage'))
    .description('Show usage per tenant, key, model, back end and day (from the usage ledger).')
    .option('--tenant <id>', 'only this tenant')
    .option('--key <id>', 'only this key')
    .option('--model <name>', 'only this model')
    .option('--backend <id>', 'only this back end')
    .option('--from <day>', 'first UTC day included, YYYY-MM-DD')
    .option('--to <day>', 'last UTC day included, YYYY-MM-DD')
    .option('--group-by <dimensions>', 'comma-separated: tenant, key, model, backend, day (default: tenant,day; "" for one total)')
    .option('--csv', 'CSV (RFC 4180) for spreadsheets')
    .option('--json', 'machine-readable output')
    .action(async (flags: UsageFlags) => {
      const { usageCommand } = await import('./commands/usage.js');
      setExit(await usageCommand(flags, io));
    });

  const pii = program.command('pii').description('Find or hide personal data (national IDs, phones, e-mail, cards, IBANs, IPs) in text; streams large inputs.');
  pii
    .command('scan')
    .description('Print one JSON line per entity found: {"type","start","end","text","score","validated"}, offsets into the whole input.')
    .argument('[file]', 'input file, or - for stdin (the default)')
    .action(async (file: string | undefined) => {
      const { piiScanCommand } = await import('./commands/pii.js');
      setExit(await piiScanCommand(file, io));
    });
  pii
    .command('redact')
    .description('Print the text with each entity replaced.')
    .argument('[file]', 'input file, or - for stdin (the default)')
    .option('--mode <mode>', 'redact ([TYPE]), mask (all but the last 4 hidden) or pseudonymise (realistic stand-ins)', 'redact')
    .action(async (file: string | undefined, flags: PiiRedactFlags) => {
      const { piiRedactCommand } = await import('./commands/pii.js');
      setExit(await piiRedactCommand(file, flags, io));
    });

  const safety = program.command('safety').description('Safety guardrails: measure what a tenant\'s configuration blocks.');
  safety
    .command('eval')
    .description("Send a prompt set (JSONL or CSV: prompt or prompt_text, hazard, locale; the AILuminate demo CSV works as-is) through a running Nara with a tenant's key; report block rates per hazard and language, false refusals on benign prompts and guard latency.")
    .requiredOption('--url <url>', 'the Nara to evaluate, e.g. http://127.0.0.1:8080')
    .requiredOption('--key <key>', "an API key of the tenant whose safety policy is measured")
    .requiredOption('--prompts <file>', 'a prompt set; repeat for several (e.g. data/safety/samples/ko.jsonl)', (value: string, previous: string[] = []) => [...previous, value])
    .requiredOption('--model <name>', 'the model to ask')
    .option('--concurrency <n>', 'requests in flight (default 8)')
    .option('--max-tokens <n>', 'max_tokens of each request (default 64)')
    .option('--timeout-ms <ms>', 'per request (default 60000)')
    .option('--html <file>', 'also write a standalone HTML report with charts')
    .option('--json', 'machine-readable report')
    .action(async (flags: SafetyEvalFlags) => {
      const { safetyEvalCommand } = await import('./commands/safety-eval.js');
      setExit(await safetyEvalCommand(flags, io));
    });
  const evaluation = program.command('eval').description('Does a model know our language and culture, is it safe in our language, what does each language cost: tasks against any OpenAI-compatible endpoint (a Nara included).');
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  evaluation
    .command('run')
    .description('Run task files (or builtin:ko, builtin:th, … builtin:en) against endpoints; records every instance, reports accuracy with 95% intervals, normalised scores, per competency, and paired comparisons.')
    .requiredOption('--task <file>', 'a task file (YAML), or builtin:<lang>; repeat for several', collect)
    .requiredOption('--endpoint <spec>', 'url=http://host:8000/v1,model=NAME[,name=…][,key-env=VAR][,concurrency=8][,rps=N][,timeout-ms=60000][,retries=3][,via=nara]; repeat to compare models', collect)
    .option('--judge <spec>', 'the endpoint that grades judge tasks (same form as --endpoint)')
    .option('--out <dir>', 'the run folder: run.json and records.jsonl (default nara-eval/<time>)')
    .option('--resume', 'finish the run in --out: answered instances are not asked again')
    .option('--limit <n>', 'at most n instances per task (a quick look)')
    .option('--dataset <file>', "the downloaded data for the (one) task, over the path in its file, e.g. data/eval/tasks/datasets/kobest-copa.yaml's")
    .option('--html <file>', 'also write a standalone HTML report with charts and the missed instances (no CDN)')
    .option('--token-tax <dir>', 'add the token tax of this parallel text (FLORES-200 layout) to the HTML report')
    .option('--json', 'machine-readable report')
    .action(async (flags: EvalRunFlags) => {
      const { evalRunCommand } = await import('./commands/eval.js');
      setExit(await evalRunCommand(flags, io));
    });
  evaluation
    .command('compare')
    .description('Compare two runs on the instances both answered: per task the difference, its 95% interval and whether it is more than chance.')
    .argument('<runA>', 'a run folder')
    .argument('<runB>', 'another run folder')
    .option('--json', 'machine-readable comparison')
    .action(async (runA: string, runB: string, flags: { json?: boolean }) => {
      const { evalCompareCommand } = await import('./commands/eval.js');
      setExit(await evalCompareCommand(runA, runB, flags, io));
    });
  evaluation
    .command('token-tax')
    .description('Tokens per language per tokenizer on parallel text (FLORES-200 style: one file per language, one sentence per line), relative to English, and the cost per 1M characters.')
    .requiredOption('--dir <dir>', 'folder of parallel text files (eng_Latn.dev, kor_Hang.dev, …)')
    .option('--tokenizer <name>', 'cl100k_base, o200k_base, qwen3, llama3_1, utf8-bytes, characters; repeat (default cl100k_base and o200k_base)', collect)
    .option('--price <tokenizer=price>', 'price per 1M tokens, to show cost per 1M characters; repeat', collect)
    .option('--reference <language>', 'the language ratios are relative to (default eng_Latn)')
    .option('--json', 'machine-readable report')
    .action(async (flags: TokenTaxFlags) => {
      const { evalTokenTaxCommand } = await import('./commands/eval.js');
      setExit(await evalTokenTaxCommand(flags, io));
    });
  evaluation
    .command('tasks')
    .description('List the built-in task files.')
    .action(async () => {
      const { builtinTasks } = await import('./commands/eval.js');
      for (const name of await builtinTasks()) io.out.write(`builtin:${name}\n`);
    });
  const audit = program.command('audit').description('The tamper-evident audit log: verify it, show checkpoints, prove events, report transfers abroad, export.');
  const auditDir = (command: Command) =>
    command
      .option('--dir <dir>', 'the audit directory (default: audit.dir from the configuration, or <data dir>/audit)')
      .option('--config <file>', 'configuration file (default: $NARA_CONFIG, then ./nara.yaml)')
      .option('--data-dir <dir>', 'data directory whose audit/ folder to read');
  auditDir(audit.command('verify'))
    .description('Re-read the whole log and check every leaf, the tree, every checkpoint signature and their consistency; exit 1 at the first problem, naming it.')
    .option('--key <vkey>', 'a verifier key published at /audit/v1/key (or a file holding it); repeat it for keys retired by rotation; default: the keys beside the log', (value: string, previous: string[] = []) => [...previous, value])
    .option('--origin <name>', 'the log name the checkpoints must carry (default: audit.origin)')
    .option('--json', 'machine-readable report')
    .action(async (flags: AuditVerifyFlags) => {
      const { auditVerifyCommand } = await import('./commands/audit.js');
      setExit(await auditVerifyCommand(flags, io));
    });
  auditDir(audit.command('rotate-key'))
    .description('Retire the generated signing key (its public half kept, so what it signed still verifies) and generate a new one; Nara must be stopped. Prints the new verifier key.')
    .option('--origin <name>', 'the log name in the printed verifier keys (default: audit.origin)')
    .option('--json', 'machine-readable result')
    .action(async (flags: AuditDirFlags & { origin?: string }) => {
      const { auditRotateKeyCommand } = await import('./commands/audit.js');
      setExit(auditRotateKeyCommand(flags, io));
    });
  auditDir(audit.command('checkpoint'))
    .description('Print the latest signed checkpoint (C2SP tlog-checkpoint in a signed note).')
    .action(async (flags: AuditDirFlags) => {
      const { auditCheckpointCommand } = await import('./commands/audit.js');
      setExit(auditCheckpointCommand(flags, io));
    });
  auditDir(audit.command('prove'))
    .description('Print an inclusion proof (RFC 9162) for one event, by leaf index or request id.')
    .option('--index <n>', 'leaf index')
    .option('--request-id <id>', "the request's x-request-id (the last event with it)")
    .option('--size <n>', 'tree size to prove against (default: the whole log)')
    .action(async (flags: AuditProveFlags) => {
      const { auditProveCommand } = await import('./commands/audit.js');
      setExit(auditProveCommand(flags, io));
    });
  auditDir(audit.command('consistency'))
    .description('Print a consistency proof (RFC 9162) between two tree sizes.')
    .requiredOption('--first <n>', 'the older tree size')
    .option('--second <n>', 'the newer tree size (default: the whole log)')
    .action(async (flags: AuditConsistencyFlags) => {
      const { auditConsistencyCommand } = await import('./commands/audit.js');
      setExit(auditConsistencyCommand(flags, io));
    });
  auditDir(audit.command('report'))
    .description('Report transfers abroad: events served outside the tenant\'s home jurisdiction, per tenant and period.')
    .option('--cross-border', 'the transfers-abroad report')
    .option('--tenant <id>', 'one tenant')
    .option('--from <day>', 'first UTC day, e.g. 2026-11-01')
    .option('--to <day>', 'last UTC day')
    .option('--period <p>', 'day or month', 'month')
    .option('--csv', 'CSV (RFC 4180)')
    .option('--json', 'JSON')
    .action(async (flags: AuditReportFlags) => {
      const { auditReportCommand } = await import('./commands/audit.js');
      setExit(auditReportCommand(flags, io));
    });
  auditDir(audit.command('export'))
    .description('Print the events as JSON lines exactly as stored (leaf index and link kept, so proofs still verify).')
    .option('--from-index <n>', 'first leaf')
    .option('--to-index <n>', 'last leaf')
    .action(async (flags: AuditExportFlags) => {
      const { auditExportCommand } = await import('./commands/audit.js');
      setExit(auditExportCommand(flags, io));
    });

  const provenance = program.command('provenance').description('Check outputs against their signed provenance manifests, or find which outputs a text came from.');
  provenance
    .command('verify')
    .description('Was this text produced here, unmodified (after Unicode NFC), by which model and where — or exactly why not. Exit 0 verified, 1 not.')
    .requiredOption('--text <file>', 'the text to check (- for stdin)')
    .option('--manifest <file>', 'its manifest (the JWS); default: looked up by the text among the manifests kept in the audit directory')
    .option('--jwks <file>', 'the keys, as published at /.well-known/jwks.json (default: the audit directory\'s)')
    .option('--dir <dir>', 'the audit directory (default: audit.dir from the configuration, or <data dir>/audit)')
    .option('--config <file>', 'configuration file')
    .option('--data-dir <dir>', 'data directory whose audit/ folder to read')
    .option('--json', 'machine-readable verdict')
    .action(async (flags: ProvenanceVerifyFlags) => {
      const { provenanceVerifyCommand } = await import('./commands/provenance.js');
      setExit(provenanceVerifyCommand(flags, io));
    });
  provenance
    .command('detect')
    .description('Which outputs of this Nara does a text match, even after light edits? Exit 0 when some do, 1 when none.')
    .argument('<file>', 'the text (- for stdin)')
    .option('--tenant <id>', "only this tenant's outputs")
    .option('--dir <dir>', 'the audit directory (default: audit.dir from the configuration, or <data dir>/audit)')
    .option('--config <file>', 'configuration file')
    .option('--data-dir <dir>', 'data directory whose audit/ folder to read')
    .option('--json', 'machine-readable matches')
    .action(async (file: string, flags: ProvenanceDetectFlags) => {
      const { provenanceDetectCommand } = await import('./commands/provenance.js');
      setExit(provenanceDetectCommand(file, flags, io));
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
      io.err.write(`Wrote ${file}. Try: npx nara serve --gguf ${file} --jurisdiction KR\n`);
      setExit(0);
    });

  return program;
}

type AuditVerifyFlags = AuditDirFlags & { key?: string[]; origin?: string };
type AuditProveFlags = AuditDirFlags & { index?: string; requestId?: string; size?: string };
type AuditConsistencyFlags = AuditDirFlags & { first: string; second?: string };
type AuditExportFlags = AuditDirFlags & { fromIndex?: string; toIndex?: string };

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

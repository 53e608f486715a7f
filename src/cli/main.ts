import yargs, { type Argv } from 'yargs';
import { isImportError } from '../errors.js';
import { VERSION } from '../version.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { CliIO } from './io.js';
import { DEFAULT_RATE, numberOption, type NumberRule } from './numbers.js';
import { Renderer } from './render.js';
import { registerSecret } from '../redact.js';

/** A command's handler: parsed arguments in, exit code out (`argv` as typed, for resume hints). */
type Handler = (args: Record<string, unknown>, io: CliIO, argv: readonly string[]) => Promise<number>;

/**
 * A command's handler, loaded when that command runs: starting the CLI loads the parser, not
 * every command's pipeline (the SQLite ledger, the HTTP client, the sandbox, the report page).
 */
function lazy<M>(load: () => Promise<M>, handlerOf: (module: M) => Handler): Handler {
  return async (args, io, argv) => handlerOf(await load())(args, io, argv);
}

/** Runs the CLI on `argv` (without `node` and the script) and returns the exit code; never exits. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let chosen: { handler: Handler; args: Record<string, unknown> } | undefined;
  const pick = (handler: Handler) => (args: Record<string, unknown>) => {
    chosen = { handler, args };
  };
  let usageError: string | undefined;
  let helpText = '';
  const parser = buildParser(pick, argv.some((arg) => arg === '--help' || arg === '-h' || arg === 'help')).fail((message, error) => {
    usageError = message || error?.message || 'invalid arguments';
  });
  await parser.parseAsync([...argv], {}, (_error, _args, output) => {
    helpText = output;
  });
  const renderer = new Renderer(io);
  if (usageError !== undefined) {
    renderer.error(`${usageError}\nRun "reamaze-import --help" for the commands and their options.`);
    return ExitCode.USAGE;
  }
  if (!chosen) {
    if (helpText) renderer.result(helpText);
    return ExitCode.OK;
  }
  return runHandler(chosen.handler, chosen.args, io, argv);
}

async function runHandler(handler: Handler, args: Record<string, unknown>, io: CliIO, argv: readonly string[]): Promise<number> {
  // Known before anything is read: a ledger written before secrets were redacted is still shown without them
  if (io.env.REAMAZE_API_TOKEN) registerSecret(io.env.REAMAZE_API_TOKEN, io.env.REAMAZE_EMAIL);
  try {
    return await handler(args, io, argv);
  } catch (error) {
    const renderer = new Renderer(io);
    if (isImportError(error)) {
      renderer.error(error.message);
      return exitCodeFor(error.code);
    }
    // Anything else is a bug: one sentence for the user; the details only when asked for.
    const detail = error instanceof Error ? error.message : String(error);
    renderer.error(`Internal error: ${detail}. This is a bug in reamaze-import; please report it.`);
    if (io.env.REAMAZE_IMPORT_DEBUG && error instanceof Error && error.stack) renderer.error(error.stack);
    return ExitCode.INTERNAL;
  }
}


/** The bounds of the numeric options: each value is checked before any handler runs. */
const ROWS: NumberRule = { unit: 'rows', whole: true, min: 1 };
// More requests in flight than tickets read ahead (64) would never be used.
const CONCURRENCY: NumberRule = { unit: 'requests in flight', whole: true, min: 1, max: 64 };
const TIMEOUT: NumberRule = { unit: 'seconds', min: 0, above: true, max: 3600 };
const SHARE: NumberRule = { min: 0, above: true, max: 1, note: 'the share of the rows: 0.1 is 10%' };
const PORT: NumberRule = { whole: true, min: 0, max: 65535, note: '0: any free port' };
const PER_SECOND: NumberRule = { unit: 'requests per second', min: 0, above: true };
const LATENCY: NumberRule = { unit: 'milliseconds', min: 0, max: 3_600_000 };

/** A JSON summary instead of the human one, and silence on stderr. */
const SUMMARY_OPTIONS = {
  json: { type: 'boolean', default: false, describe: 'print one JSON summary on stdout' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'no progress or notes' },
} as const;

/** How records become conversations: the mapping, and the messages files of a relational export. */
const MAPPING_OPTIONS = {
  mapping: { alias: 'm', type: 'string', demandOption: true, describe: 'mapping file or preset name' },
  messages: { type: 'string', array: true, describe: 'messages files joined to the tickets by key (mappings with "messages.join")' },
  lookup: { type: 'string', array: true, describe: 'name=file: the records of a lookup the mapping declares (users=users.json)' },
  'staff-map': { type: 'string', describe: 'JSON {"old e-mail or id": "staff e-mail"} or CSV lines old,new: the Re:amaze staff member of an agent whose address changed' },
  'unmatched-authors': {
    choices: ['importer', 'reject'] as const, default: 'importer',
    describe: 'an agent who is no Re:amaze staff member, or an author without an e-mail: sent by the importing staff member with the original author in the header (importer), or the ticket is refused (reject); counted either way',
  },
} as const;

/** Who talks to the API: the credentials of `run` and `verify`. */
const CREDENTIAL_OPTIONS = {
  brand: { type: 'string', describe: 'Re:amaze brand (default: REAMAZE_BRAND)' },
  email: { type: 'string', describe: 'staff login e-mail (default: REAMAZE_EMAIL)' },
  'token-file': { type: 'string', describe: 'file holding the API token (default: REAMAZE_API_TOKEN)' },
  'base-url': { type: 'string', describe: 'API base URL (default: REAMAZE_BASE_URL, else https://{brand}.reamaze.io/api/v1)' },
} as const;

/** The `run` options beyond the mapping: the ledger, the pace, the bounds, the credentials. */
const RUN_OPTIONS = {
  ledger: { alias: 'l', type: 'string', demandOption: true, describe: 'the SQLite ledger of this import (created if new)' },
  rate: { type: 'string', describe: `requests per second (2, 0.5) or per minute (90/min); default: the last run's learned rate, else ${DEFAULT_RATE}` },
  'max-rate': { type: 'string', describe: 'the adaptive rate never exceeds this; default: --rate' },
  concurrency: { alias: 'c', ...numberOption('concurrency', CONCURRENCY), default: 4, describe: 'requests in flight at once' },
  limit: { ...numberOption('limit', ROWS), describe: 'send at most this many rows (a sample migration)' },
  timeout: { ...numberOption('timeout', TIMEOUT), default: 30, describe: 'seconds for one request' },
  tag: { type: 'string', array: true, describe: 'add this tag to every created conversation (to find a sample again)' },
  'max-errors': { ...numberOption('max-errors', ROWS), describe: 'stop (exit 3, resumable) after this many rejected, failed or invalid rows' },
  'max-error-rate': { ...numberOption('max-error-rate', SHARE), describe: 'stop (exit 3) when this share (0–1) of the rows so far failed, after 50 rows' },
  'adopt-existing': {
    type: 'boolean', default: false,
    describe: 'look every ticket up in Re:amaze before creating it and record the ones it holds as done (rebuilds a lost ledger); without it, a ledger that never sent anything refuses to run when Re:amaze already holds its first tickets',
  },
  'summary-file': { type: 'string', describe: 'also write the JSON summary to this file (for monitoring)' },
  'staff-list': { type: 'boolean', default: true, describe: 'read GET /staff to match agents; --no-staff-list takes only the --staff-map targets (and the importer) as staff' },
  credentials: { type: 'string', describe: 'file of several staff members\' tokens, one "email token" a line (readable by its owner only): tickets are spread over them, each token with its own rate; instead of --email/--token-file' },
  'unattributed-as': { type: 'string', describe: 'with --credentials: the e-mail of the token whose staff member sends messages with no resolvable author (default: the first line\'s)' },
  ...CREDENTIAL_OPTIONS,
} as const;

const SANDBOX_OPTIONS = {
  port: { ...numberOption('port', PORT), default: 4599, describe: 'port on 127.0.0.1 (0: any free port)' },
  'rate-limit': { ...numberOption('rate-limit', PER_SECOND), describe: 'requests per second per token before 429' },
  'retry-after': { type: 'boolean', default: false, describe: 'send Retry-After with 429 (Re:amaze documents none)' },
  'retry-after-date': { type: 'boolean', default: false, describe: 'send Retry-After as an HTTP date, not seconds' },
  'ignore-data-filter': { type: 'boolean', default: false, describe: 'list conversations as if data[...] were not given (a proxy that drops the query)' },
  'redirect-to': { type: 'string', describe: 'answer every API request with a 302 to this base URL' },
  'drip-ms': { ...numberOption('drip-ms', LATENCY), describe: 'milliseconds between the bytes of a dripped answer (fault drip-after)' },
  'listed-origin-ids': { choices: ['echo', 'null', 'omit'], default: 'echo', describe: 'how a thread listing shows origin_id: as sent, always null, or not at all' },
  'listed-bodies': { choices: ['as-sent', 'html', 'omit'], default: 'as-sent', describe: 'how a thread listing shows bodies' },
  'lists-opener': { type: 'boolean', default: true, describe: 'a thread listing includes the opening message (--no-lists-opener: replies only)' },
  latency: { ...numberOption('latency', LATENCY), describe: 'milliseconds added to every answer' },
  fault: { type: 'string', array: true, describe: 'random fault, kind=probability (500-before, 500-after, drop-after, hang-after…)' },
  'message-faults': { type: 'boolean', default: false, describe: 'random faults hit thread messages too, not only new conversations' },
  channel: { type: 'string', array: true, describe: 'valid categories (default: support)' },
  token: { type: 'string', describe: 'the API token it accepts (default: sandbox-token)' },
  credentials: { type: 'string', describe: 'also accept these logins, one "email token" a line (the file run --credentials reads): each a staff member with its own rate-limit bucket' },
  staff: { type: 'string', array: true, describe: 'staff e-mails besides the token\'s user (a,b or repeated): GET /staff lists them, their messages are staff replies' },
} as const;

// `default: undefined`: yargs would print `[default: []]` beside every list of files.
const FILES = { type: 'string', array: true, default: undefined, describe: 'CSV, JSONL or JSON files' } as const;
const READ_LEDGER = { alias: 'l', type: 'string', demandOption: true, describe: 'the SQLite ledger of an import (read only; a run may hold it)' } as const;

/** `--help` of each command ends with what its exit codes mean. */
const EXITS = {
  validate: 'Exit codes: 0 every row valid (with --strict: and every value carried); 1 invalid or duplicate rows (with --strict: anything not carried); 2 usage or configuration error.',
  preview: 'Exit codes: 0 every row shown can be sent; 1 some cannot (their errors are shown); 2 usage or configuration error.',
  init: 'Exit codes: 0 a complete mapping; 1 a mapping with placeholders to fill in (listed); 2 usage error.',
  run: 'Exit codes: 0 every row done; 1 some rows need attention (see failures); 2 configuration error, nothing sent; 3 stopped early, resumable (credentials, API unreachable, error budget, disk full); 130 interrupted, resumable.',
  status: 'Exit codes: 0 the status was shown; 2 no ledger there; 3 a damaged ledger file.',
  resolve: 'Exit codes: 0 settled; 2 nothing uncertain under that key (or message), or a usage error.',
  verify: 'Exit codes: 0 everything checked matches; 1 mismatches (or conversations that could not be read); 2 usage or configuration error; 3 stopped early, resumable; 130 interrupted, resumable.',
  report: 'Exit codes: 0 the page was written; 2 no ledger there, or an --out that would replace an input; 3 the page cannot be written or the ledger is damaged.',
  failures: 'Exit codes: 0 the file was written; 2 no ledger there, or a usage error; 3 the file cannot be written or the ledger is damaged.',
  sandbox: 'Exit codes: 0 stopped with Ctrl-C; 2 a bad option (a fault, a staff e-mail, a port in use).',
  demo: 'Exit codes: 0 the demo ran; 3 it could not.',
} as const;

/** Every command: its usage, what it does, how its options are declared, two or three examples, and its handler. */
const COMMANDS: { usage: string; describe: string; options: (y: Argv) => Argv; examples: [string, string][]; handler: Handler }[] = [
  {
    usage: 'validate <files..>', describe: 'Parse, map and validate every row; sends nothing', handler: lazy(() => import('./validate.js'), (m) => m.runValidate),
    examples: [['$0 validate tickets.csv --mapping mapping.json', 'check every row; nothing is sent'],
      ['$0 validate tickets.csv -m freshdesk-csv --rejects rejects.csv', 'with a preset, every bad row written with its line and reason'],
      ['$0 validate tickets.csv -m mapping.json --strict', 'exit 1 on anything the mapping would not carry']],
    options: (y) => y.positional('files', FILES).options(MAPPING_OPTIONS)
      .option('rejects', { type: 'string', describe: 'write every row that is not valid to this file' })
      .option('rejects-format', { choices: ['jsonl', 'csv'] as const, describe: 'default: from the extension, else jsonl' })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 when anything would not be carried as the export holds it (an unused column, a default taken, a loss), not only on invalid rows' })
      .options(SUMMARY_OPTIONS),
  },
  {
    usage: 'preview <file>', describe: 'Show the first payloads exactly as they would be sent, with their errors', handler: lazy(() => import('./preview.js'), (m) => m.runPreview),
    examples: [['$0 preview tickets.csv -m mapping.json -n 3', 'the first three payloads exactly as they would be sent'],
      ['$0 preview tickets.jsonl -m zendesk-json --json', 'as a JSON array']],
    options: (y) => y.positional('file', { type: 'string', describe: 'a CSV, JSONL or JSON file' }).options(MAPPING_OPTIONS)
      .option('n', { ...numberOption('n', ROWS), default: 5, describe: 'how many rows' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON array on stdout' }),
  },
  {
    usage: 'init <files..>', describe: 'Guess a mapping from every record of an export (its columns, every value of its status column…)', handler: lazy(() => import('./init.js'), (m) => m.runInit),
    examples: [['$0 init tickets.csv --out mapping.json', 'guess a mapping from every record'],
      ['$0 init export-folder/ --out mapping.json', 'a folder of vendor documents (tickets, users, comments)']],
    options: (y) => y.positional('files', { type: 'string', array: true, describe: 'a CSV, JSONL or JSON export: one file, several, or a folder of them' })
      .option('out', { alias: 'o', type: 'string', describe: 'write the mapping here (default: print it)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite --out if it exists' }),
  },
  {
    usage: 'run <files..>', describe: 'Import: POST every valid row not yet done; the same command again resumes', handler: lazy(() => import('./run.js'), (m) => m.runImport),
    examples: [['$0 run tickets.csv -m mapping.json --ledger tickets.ledger --limit 20 --tag sample', 'a sample of 20, tagged to find it in Re:amaze'],
      ['$0 run tickets.csv -m mapping.json --ledger tickets.ledger --rate 2', 'the rest; the same command again resumes'],
      ['$0 run tickets.csv -m mapping.json --ledger tickets.ledger --adopt-existing', 'rebuild a lost ledger: tickets Re:amaze holds are recorded done']],
    options: (y) => y.positional('files', FILES).options(MAPPING_OPTIONS).options(RUN_OPTIONS).options(SUMMARY_OPTIONS),
  },
  {
    usage: 'status', describe: 'Show what a ledger holds: counts per state, the runs, the learned rate, the commonest errors', handler: lazy(() => import('./status.js'), (m) => m.runStatus),
    examples: [['$0 status --ledger tickets.ledger', 'counts per state, the runs, the commonest errors'],
      ['$0 status --ledger tickets.ledger --json', 'the same as one JSON object']],
    options: (y) => y.option('ledger', READ_LEDGER).option('json', { type: 'boolean', default: false, describe: 'print one JSON object on stdout' }),
  },
  {
    usage: 'resolve', describe: 'Settle by hand a ticket or message left uncertain, once you checked Re:amaze', handler: lazy(() => import('./resolve.js'), (m) => m.runResolve),
    examples: [['$0 resolve --ledger tickets.ledger --key 1077 --as done --slug order-late-7', 'it is in Re:amaze: never send it again'],
      ['$0 resolve --ledger tickets.ledger --key 1077 --message c-9 --as absent', 'that message is not there: the next run sends it']],
    options: (y) => y.option('ledger', { alias: 'l', type: 'string', demandOption: true, describe: 'the SQLite ledger of the import' })
      .option('key', { type: 'string', demandOption: true, describe: 'the ticket\'s key (source.key)' })
      .option('message', { type: 'string', describe: 'the origin_id of one message of its thread' })
      .option('as', { choices: ['done', 'absent'] as const, demandOption: true, describe: 'done: it is in Re:amaze, never send it again; absent: it is not, the next run sends it' })
      .option('slug', { type: 'string', describe: 'with --as done for a ticket: its conversation in Re:amaze' }),
  },
  {
    usage: 'verify [files..]', describe: 'Read back from Re:amaze what the ledger says was done and compare it with what was sent; changes nothing there', handler: lazy(() => import('./verify.js'), (m) => m.runVerify),
    examples: [['$0 verify --ledger tickets.ledger --out mismatches.csv', 'read back every done conversation'],
      ['$0 verify --ledger tickets.ledger --sample 200', 'a random sample, with the share of mismatches and its 95% interval'],
      ['$0 verify --ledger tickets.ledger --repair', 'make a conversation found missing pending again, for the next run']],
    options: (y) => y.positional('files', { ...FILES, describe: 'the export (default: the files of the ledger\'s last run)' })
      .option('ledger', { alias: 'l', type: 'string', demandOption: true, describe: 'the SQLite ledger of the import' })
      .option('mapping', { alias: 'm', type: 'string', describe: 'mapping file or preset name (default: the last run\'s)' })
      .option('messages', MAPPING_OPTIONS.messages).option('lookup', MAPPING_OPTIONS.lookup)
      .option('sample', { ...numberOption('sample', ROWS), describe: 'check this many done conversations, drawn at random (uniformly, without replacement)' })
      .option('all', { type: 'boolean', default: false, describe: 'check every done conversation (the default when --sample is not given)' })
      .option('seed', { type: 'string', describe: 'draw the --sample with this seed (default: a new one, printed)' })
      .option('out', { alias: 'o', type: 'string', describe: 'write every mismatch to this file (CSV or JSONL, like failures)' })
      .option('format', { choices: ['jsonl', 'csv'] as const, describe: 'default: from the extension (.csv), else jsonl' })
      .option('repair', { type: 'boolean', default: false, describe: 'make a conversation found missing pending again, so the next run creates it' })
      .option('rate', RUN_OPTIONS.rate).option('max-rate', RUN_OPTIONS['max-rate']).option('concurrency', RUN_OPTIONS.concurrency).option('timeout', RUN_OPTIONS.timeout)
      .options(CREDENTIAL_OPTIONS).options(SUMMARY_OPTIONS),
  },
  {
    usage: 'report', describe: 'Write a self-contained HTML page of an import: totals, runs, requests over time, errors, the verify result', handler: lazy(() => import('./report.js'), (m) => m.runReport),
    examples: [['$0 report --ledger tickets.ledger --out report.html', 'one self-contained page to open or print']],
    options: (y) => y.option('ledger', READ_LEDGER)
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'the HTML file to write (replaced if it exists)' }),
  },
  {
    usage: 'failures', describe: 'Write every row that did not make it, with its file, line, state, error and source fields', handler: lazy(() => import('./failures.js'), (m) => m.runFailures),
    examples: [['$0 failures --ledger tickets.ledger --out failures.csv', 'every row that did not make it, with its file, line and reason'],
      ['$0 failures --ledger tickets.ledger --out uncertain.jsonl --state uncertain', 'only the rows left uncertain']],
    options: (y) => y.option('ledger', { ...READ_LEDGER, describe: 'the SQLite ledger of an import (read only)' })
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'write the rows to this file (replaced if it exists)' })
      .option('format', { choices: ['jsonl', 'csv'] as const, describe: 'default: from the extension (.csv), else jsonl' })
      .option('state', {
        type: 'string', array: true,
        describe: 'only rows in these states (comma-separated): rejected, failed, invalid, uncertain, pending, duplicate; default: all but pending',
      }),
  },
  {
    usage: 'sandbox', describe: 'Serve a local Re:amaze-compatible API for rehearsals (until Ctrl-C)', handler: lazy(() => import('./sandbox.js'), (m) => m.runSandbox),
    examples: [['$0 sandbox', 'a local API on port 4599; paste the export lines it prints'],
      ['$0 sandbox --rate-limit 5 --fault 500-after=0.05 --message-faults', 'a harsher API: 429s and lost answers']],
    options: (y) => y.options(SANDBOX_OPTIONS),
  },
  {
    usage: 'demo', describe: 'Import a bundled sample export into an in-process sandbox (no credentials needed)', handler: lazy(() => import('./demo.js'), (m) => m.runDemo),
    examples: [['$0 demo', '300 Freshdesk-style tickets into an in-process sandbox']],
    options: (y) => y.option('rate', { type: 'string', default: '60', describe: 'requests per second to start at (the sandbox allows 40)' }),
  },
];

function buildParser(pick: (handler: Handler) => (args: Record<string, unknown>) => void, helpAsked: boolean): Argv {
  let parser = yargs()
    .scriptName('reamaze-import')
    .usage('$0 <command> [options]\n\nImport helpdesk exports (CSV, JSONL, JSON) into Re:amaze.');
  for (const command of COMMANDS) {
    const name = command.usage.split(' ')[0] as keyof typeof EXITS;
    const builder = (y: Argv) => command.examples.reduce((built, [example, what]) => built.example(example, what), command.options(y)).epilogue(EXITS[name]);
    parser = parser.command(command.usage, command.describe, builder, pick(command.handler));
  }
  return parser
    .demandCommand(1, 'Name a command.')
    .strict()
    .help()
    .alias('h', 'help')
    .version(VERSION)
    // yargs lays out a command's help as it runs it, in case it is asked for: wrapping it to the
    // terminal is most of the CLI's start, so it is wrapped only when help may be shown.
    .wrap(helpAsked ? Math.min(110, process.stdout.columns || 100) : null)
    .exitProcess(false);
}

/** The binary's entry: runs `main` on the process and exits with its code (the only process.exit). */
export async function runProcess(): Promise<never> {
  const code = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    onSignal: onProcessSignal,
  });
  // Let stdout drain before exiting: a piped `--json` summary must arrive whole.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

/**
 * The first SIGINT/SIGTERM asks the command to stop cleanly; a second one exits at once (130):
 * the ledger already holds every row's state, and the next run reconciles what was in flight.
 */
function onProcessSignal(handler: () => void): () => void {
  let received = 0;
  const listener = () => {
    received += 1;
    if (received === 1) handler();
    else process.exit(ExitCode.INTERRUPTED);
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

import { LedgerReader, STATUS_STATES, type ErrorGroup, type RunRecord, type StatusState, type TokenRecord, type UncertainItem } from '../ledger/ledger-reader.js';
import type { LedgerLossCounts } from '../ledger/ledger.js';
import { sortedLossCounts } from '../mapping/losses.js';
import { ExitCode } from './exit-codes.js';
import { outputPath } from './load.js';
import type { CliIO } from './io.js';
import { formatCount, lossLines, quoteArg, Renderer } from './render.js';

/** Runs listed by the human status; `--json` lists them all. */
const RUNS_SHOWN = 20;

/** `status --ledger L [--json]`: counts per state, the runs, the learned rate and the commonest errors; exit 0. */
export async function runStatus(args: Record<string, unknown>, io: CliIO): Promise<number> {
  const json = Boolean(args.json);
  const renderer = new Renderer(io, { json });
  // No lock: a run may hold the ledger, and reading it is what a person watching that run wants.
  const reader = LedgerReader.open(outputPath(String(args.ledger), io.cwd));
  try {
    const status = {
      counts: reader.counts(), messages: reader.messageCounts(), runs: reader.runs(), learnedRate: reader.learnedRate(),
      topErrors: reader.topErrors(), losses: reader.lossCounts(), uncertain: reader.uncertain(), tokens: reader.tokens(),
    };
    if (json) renderer.json(toJson(reader.path, status));
    else renderer.result(formatStatus(reader.path, status));
    return ExitCode.OK;
  } finally {
    reader.close();
  }
}

interface Status {
  counts: Record<StatusState, number>;
  messages: Record<string, number> | undefined;
  runs: RunRecord[];
  learnedRate: number | undefined;
  topErrors: ErrorGroup[];
  losses: LedgerLossCounts;
  uncertain: UncertainItem[];
  tokens: TokenRecord[];
}

function toJson(ledger: string, status: Status) {
  return {
    ledger,
    counts: status.counts,
    messages: status.messages ?? null,
    runs: status.runs.map((run) => ({
      id: run.id,
      started_at: run.startedAt,
      ended_at: run.endedAt,
      duration_seconds: run.durationSeconds,
      counts: run.counts,
      learned_rate: run.learnedRate,
      exit_code: run.exitCode,
      args: run.args,
    })),
    learned_rate: status.learnedRate ?? null,
    tokens: status.tokens.map((token) => ({
      email: token.email, learned_rate: token.learnedRate, learned_limit: token.learnedLimit,
      conversations_done: token.conversations, messages_done: token.messages,
    })),
    top_errors: status.topErrors.map((group) => ({
      code: group.code,
      error: group.error,
      kind: group.kind,
      count: group.count,
      example: `${group.example.file}:${group.example.line}`,
      example_key: group.example.key,
    })),
    losses: { done: sortedLossCounts(status.losses.done), to_import: sortedLossCounts(status.losses.notDone) },
    uncertain: status.uncertain.map((item) => ({ key: item.key, message: item.originId ?? null, at: `${item.file}:${item.line}`, error: item.error, resolve: resolveCommands(ledger, item) })),
  };
}

/** The commands that settle an uncertain item, once someone checked Re:amaze: found, or not there. */
function resolveCommands(ledger: string, item: UncertainItem): { done: string; absent: string } {
  const base = `reamaze-import resolve --ledger ${quoteArg(ledger)} --key ${quoteArg(item.key)}${item.originId === undefined ? '' : ` --message ${quoteArg(item.originId)}`}`;
  return { done: `${base} --as done${item.originId === undefined ? ' --slug SLUG' : ''}`, absent: `${base} --as absent` };
}

/** The human status: what the ledger holds, its runs (newest last), the rate, the commonest errors. */
export function formatStatus(ledger: string, status: Status): string {
  const counts = STATUS_STATES.map((state) => `${formatCount(status.counts[state])} ${state}`).join(' · ');
  const lines = [`Ledger ${ledger}`, `Rows: ${counts} (in the last run).`];
  const { open_threads: open = 0, ...messages } = status.messages ?? {};
  if (Object.values(status.messages ?? {}).some((n) => n > 0)) {
    const perState = Object.entries(messages).map(([state, n]) => `${formatCount(n)} ${state}`).join(' · ');
    lines.push(`Thread messages: ${perState}; ${formatCount(open)} thread${open === 1 ? '' : 's'} still open (messages or the final status to come).`);
  }
  lines.push(...formatRuns(status.runs));
  lines.push(status.learnedRate === undefined
    ? 'Learned rate: none yet (the last run recorded none).'
    : `Learned rate: ${status.learnedRate.toFixed(2)} requests/s; the next run starts at it unless --rate says otherwise.`);
  // One token is the run's rate above; with several, each has its own pace and share.
  if (status.tokens.length > 1) {
    lines.push(`Tokens (${status.tokens.length}, each with its own pace):`);
    for (const token of status.tokens) lines.push(`  ${formatToken(token)}`);
  }
  if (status.topErrors.length > 0) {
    lines.push('Most common errors:');
    for (const group of status.topErrors) {
      const code = group.code ? `${group.code} ` : '';
      const key = group.example.key === null ? 'no key' : `key ${group.example.key}`;
      lines.push(`  ${formatCount(group.count)} × ${code}${group.error} (first at ${group.example.file}:${group.example.line}, ${key})`);
    }
  }
  lines.push(...lossLines(status.losses.done, 'Not carried as the export held it (in Re:amaze):'));
  lines.push(...lossLines(status.losses.notDone, 'Not carried as the export held it (rows still to import):'));
  const notDone = STATUS_STATES.filter((state) => state !== 'done').reduce((sum, state) => sum + status.counts[state], 0);
  if (status.uncertain.length > 0) {
    lines.push('Uncertain (the next run looks each up; one that no answer of the API can settle is recorded by hand, once checked in Re:amaze):');
    for (const item of status.uncertain) {
      const { done, absent } = resolveCommands(ledger, item);
      lines.push(`  ${item.originId === undefined ? `ticket ${item.key}` : `message ${item.originId} of ticket ${item.key}`} (${item.file}:${item.line})`, `    found: ${done}`, `    not there: ${absent}`);
    }
  }
  if (notDone > 0) lines.push(`Every row that did not make it: reamaze-import failures --ledger ${quoteArg(ledger)} --out failures.csv`);
  return lines.join('\n');
}

/** `agent@example.com: 1,204 conversations and 4,816 messages done · 9.80 req/s · limit 10.00/s learned`. */
function formatToken(token: TokenRecord): string {
  const parts = [`${token.email}: ${formatCount(token.conversations)} conversation${token.conversations === 1 ? '' : 's'} and ${formatCount(token.messages)} message${token.messages === 1 ? '' : 's'} done`];
  if (token.learnedRate !== null) parts.push(`${token.learnedRate.toFixed(2)} req/s`);
  if (token.learnedLimit !== null) parts.push(`limit ${token.learnedLimit.toFixed(2)}/s learned`);
  return parts.join(' · ');
}

function formatRuns(runs: readonly RunRecord[]): string[] {
  if (runs.length === 0) return ['Runs: none yet.'];
  const lines = [`Runs (${formatCount(runs.length)}, newest last):`];
  const earlier = runs.length - RUNS_SHOWN;
  if (earlier > 0) lines.push(`  … ${formatCount(earlier)} earlier run${earlier === 1 ? '' : 's'} (--json lists them all)`);
  for (const run of runs.slice(Math.max(0, earlier))) lines.push(`  ${formatRun(run)}`);
  return lines;
}

/** `#3 2024-05-01 10:00:00Z → 10:02:13Z (133.0 s) · exit 1 · 2.00 req/s · rows 7, done 3, …`. */
export function formatRun(run: RunRecord): string {
  const start = formatTime(run.startedAt);
  const end = run.endedAt === null ? 'no end recorded (still running, or killed)' : formatTime(run.endedAt, start);
  const duration = run.durationSeconds === null ? '' : ` (${formatDuration(run.durationSeconds)})`;
  const parts = [`#${run.id} ${start} → ${end}${duration}`];
  if (run.exitCode !== null) parts.push(`exit ${run.exitCode}`);
  if (run.learnedRate !== null) parts.push(`${run.learnedRate.toFixed(2)} req/s`);
  // Zeros say nothing in a list of runs; `rows` stays so an empty run reads as one.
  const counts = Object.entries(run.counts ?? {})
    .filter(([name, n]) => typeof n === 'number' && (n !== 0 || name === 'rows'))
    .map(([name, n]) => `${name} ${formatCount(n)}`);
  // Thread messages, as `messages done 12, rejected 1`.
  const nested = (run.counts as Record<string, unknown> | null)?.messages as Record<string, unknown> | undefined;
  const messages = Object.entries(nested ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] !== 0);
  if (messages.length > 0) counts.push(`messages ${messages.map(([state, n]) => `${state} ${formatCount(n)}`).join(', ')}`);
  if (counts.length > 0) parts.push(counts.join(', '));
  return parts.join(' · ');
}

/** An ISO time as `2024-05-01 10:00:00Z`; only the time when it is the same day as `sameDayAs`. */
function formatTime(iso: string, sameDayAs?: string): string {
  const text = iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return sameDayAs !== undefined && text.slice(0, 10) === sameDayAs.slice(0, 10) ? text.slice(11) : text;
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

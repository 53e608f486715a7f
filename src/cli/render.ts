import { LOSS_KINDS, type LossCounts, type LossKind } from '../mapping/losses.js';
import cliProgress from 'cli-progress';
import type { ProgressSnapshot, SendingProgress } from '../pipeline/progress.js';
import { DEFAULT_COLUMNS, formatEta, formatSendLine, secondsLeft } from './progress-line.js';
import type { LossReport, TargetCount, UnmappedValues } from '../pipeline/loss-report.js';
import { redact } from '../redact.js';
import type { CliStreams } from './io.js';

/** How much a command may print. */
export interface RenderOptions {
  /** Nothing on stderr but errors. Default false. */
  quiet?: boolean;
  /** stdout is reserved for one JSON object. Default false. */
  json?: boolean;
  /** Seconds between two plain status lines when stderr is not a terminal. Default 5. */
  statusEverySeconds?: number;
}

/**
 * The only place that prints: results on stdout, progress and notes on stderr. Every text goes
 * through `redact`, so a registered secret is never printed, whatever message carries it.
 */
export class Renderer {
  private bar: cliProgress.SingleBar | undefined;
  /** The last sending progress of `run`, which its line shows. */
  private sending: SendingProgress | undefined;
  /** Set once the command is stopping: the bar is gone for good, so nothing overwrites the note. */
  private stopped = false;
  private readonly startedAt = Date.now();
  private lastStatusAt = this.startedAt;

  constructor(
    private readonly streams: CliStreams,
    private readonly options: RenderOptions = {},
  ) {}

  /** A command's human-readable result (suppressed with --json, where stdout holds JSON only). */
  result(text: string): void {
    if (!this.options.json) this.streams.stdout.write(ensureNewline(redact(text)));
  }

  /** The one JSON object of `--json`. */
  json(value: unknown): void {
    this.streams.stdout.write(`${redact(JSON.stringify(value, null, 2))}\n`);
  }

  /** A note for the person at the terminal (warnings, hints); silent with --quiet. */
  note(text: string): void {
    if (!this.options.quiet) this.streams.stderr.write(ensureNewline(redact(text)));
  }

  /** The note that the command is stopping: the progress bar is taken down first and not shown again. */
  stopping(text: string): void {
    this.stopped = true;
    this.stopProgress();
    this.note(text);
  }

  /** An error sentence; always printed. */
  error(text: string): void {
    this.stopProgress();
    this.streams.stderr.write(ensureNewline(redact(text)));
  }

  /** Shows progress: a bar on a terminal, a status line every few seconds otherwise. */
  progress(snapshot: ProgressSnapshot): void {
    if (this.options.quiet || this.stopped) return;
    if (this.streams.stderr.isTTY) {
      this.updateBar(snapshot);
      return;
    }
    const now = Date.now();
    if (now - this.lastStatusAt < (this.options.statusEverySeconds ?? 5) * 1000) return;
    this.lastStatusAt = now;
    this.streams.stderr.write(`${formatStatusLine(snapshot, now - this.startedAt)}\n`);
  }

  /** Removes the bar before the summary is printed. */
  stopProgress(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private updateBar(snapshot: ProgressSnapshot): void {
    if (snapshot.sending) {
      this.updateSendLine(snapshot.sending);
      return;
    }
    const payload = { rows: formatCount(snapshot.rows), counts: formatCounts(snapshot.counts), rate: formatCount(this.rowRate(snapshot)) };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        {
          stream: this.streams.stderr as NodeJS.WritableStream,
          format: '{bar} {percentage}% | {rows} rows | {counts} | {rate} rows/s | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
          formatValue: (value, _options, type) => (type === 'total' || type === 'value' ? formatBytes(value) : String(value)),
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(1, snapshot.totalBytes), snapshot.bytesRead, payload);
      return;
    }
    this.bar.update(snapshot.bytesRead, payload);
  }

  /** `run`: what is left is what is still to send (cli-progress redraws the line in place). */
  private updateSendLine(sending: SendingProgress): void {
    this.sending = sending;
    const line = () => (this.sending ? formatSendLine(this.sending, this.streams.stderr.columns ?? DEFAULT_COLUMNS) : '');
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar({
        stream: this.streams.stderr as NodeJS.WritableStream, format: line, hideCursor: true, clearOnComplete: true, linewrap: false,
      });
      this.bar.start(Math.max(1, sending.toSend), sending.sent);
      return;
    }
    this.bar.setTotal(Math.max(1, sending.toSend));
    this.bar.update(sending.sent);
  }

  private rowRate(snapshot: ProgressSnapshot): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0 ? Math.round(snapshot.rows / seconds) : 0;
  }
}

/** `12,000 rows (45%) · valid 11,990 · invalid 10 · 4.2 s` — the status line written when stderr is not a terminal. */
export function formatStatusLine(snapshot: ProgressSnapshot, elapsedMs: number): string {
  const { sending } = snapshot;
  if (sending) {
    const total = `${sending.exact ? '' : '~'}${formatCount(sending.toSend)}`;
    const slowed = sending.slowedTo === undefined ? '' : ` · 429: slowed to ${sending.slowedTo.toFixed(1)}/s`;
    return `${formatCount(sending.sent)}/${total} sent · ${formatCounts(snapshot.counts)}${slowed} · ETA ${formatEta(secondsLeft(sending))} · ${(elapsedMs / 1000).toFixed(1)} s`;
  }
  const percent = snapshot.totalBytes > 0 ? Math.floor((snapshot.bytesRead / snapshot.totalBytes) * 100) : 100;
  return `${formatCount(snapshot.rows)} rows (${percent}%) · ${formatCounts(snapshot.counts)} · ${(elapsedMs / 1000).toFixed(1)} s`;
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, value]) => `${name} ${formatCount(value)}`)
    .join(' · ');
}

/** An argument as a shell needs it to be pasted back (the commands the CLI prints). */
export { quoteArg } from '../shell.js';

/** 1234567 → `1,234,567`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** One line per kind of loss under a title (`  2 author_not_staff: <what it means>`), its description and (validate) where it was first seen; none when nothing was lost. */
export function lossLines(counts: LossCounts, title: string, examples: Partial<Record<LossKind, string>> = {}): string[] {
  const kinds = (Object.keys(LOSS_KINDS) as LossKind[]).filter((kind) => (counts[kind] ?? 0) > 0);
  if (kinds.length === 0) return [];
  return [title, ...kinds.map((kind) => `  ${formatCount(counts[kind]!)} ${kind}: ${LOSS_KINDS[kind]}${examples[kind] ? ` (first at ${examples[kind]})` : ''}`)];
}

/** How many unused source fields the human summary names; the rest are counted. */
const SHOWN_FIELDS = 10;
/** How many values no map covers the human summary names per leaf. */
const SHOWN_VALUES = 5;

/** What `validate` found the mapping does not carry, only what needs attention; none when nothing does. */
export function reportLines(report: LossReport): string[] {
  const { source, unused, ignored, emptyEverywhere, ignoreUnmatched } = report.fields;
  if (source.length === 0 && report.targets.every((target) => target.count === 0)) return [];
  const read = source.filter((field) => field.use === 'read').length;
  const lines = [`Source fields: ${formatCount(source.length)} in the records; ${formatCount(read)} read, ${formatCount(ignored.length)} ignored (source.ignore), ` +
    `${formatCount(emptyEverywhere)} empty in every row, ${formatCount(unused.length)} unused.`];
  if (unused.length > 0) {
    lines.push('Unused source fields (values the mapping neither reads nor ignores: map them, or list them in source.ignore):');
    lines.push(...unused.slice(0, SHOWN_FIELDS).map(({ field, rows }) => `  ${field}: ${formatCount(rows)} ${rows === 1 ? 'row' : 'rows'}`));
    if (unused.length > SHOWN_FIELDS) lines.push(`  and ${formatCount(unused.length - SHOWN_FIELDS)} more`);
  }
  const inMessages = report.messageFields?.unused ?? [];
  if (inMessages.length > 0) {
    lines.push('Unused fields of the messages files (map them in messages, or list them in source.ignore):');
    lines.push(...inMessages.slice(0, SHOWN_FIELDS).map(({ field, rows }) => `  ${field}: ${formatCount(rows)} ${rows === 1 ? 'message' : 'messages'}`));
    if (inMessages.length > SHOWN_FIELDS) lines.push(`  and ${formatCount(inMessages.length - SHOWN_FIELDS)} more`);
  }
  if (ignoreUnmatched.length > 0) lines.push(`source.ignore names what no record holds: ${ignoreUnmatched.map((f) => JSON.stringify(f)).join(', ')}.`);
  const unmapped = new Map(report.unmapped.map((values) => [values.at, values]));
  const defaulted = report.targets.filter((target) => target.defaulted > 0);
  if (defaulted.length > 0) lines.push('Defaults taken:', ...defaulted.map((target) => `  ${defaultLine(target, unmapped.get(target.at))}`));
  // An `or` is read only when its rule came out empty: its own emptiness is its rule's.
  const empty = report.targets.filter((t) => t.count > 0 && t.empty === t.count && !t.at.endsWith('.or'));
  if (empty.length > 0) {
    lines.push('Mapped, but empty every time (a wrong column?):');
    lines.push(...empty.map((t) => `  ${t.at}: empty in ${t.count === 1 ? `the one ${t.per}` : `all ${formatCount(t.count)} ${t.per}s`} (reads ${t.reads.map((f) => JSON.stringify(f)).join(', ')})`));
  }
  const uncovered = report.unmapped.filter((values) => !values.tookDefault);
  if (uncovered.length > 0) {
    lines.push('Values no map covers (their rows are invalid: add them to the map, or give it a default):');
    lines.push(...uncovered.map((values) => `  ${values.at}: ${valueList(values)}`));
  }
  return lines;
}

/** `conversation.status: 1,035 rows took the default 0 (1,000 empty; not in the map: "Escalated" × 35)`. */
function defaultLine(target: TargetCount, unmapped: UnmappedValues | undefined): string {
  const unit = target.per === 'message' ? (target.defaulted === 1 ? 'message' : 'messages') : target.defaulted === 1 ? 'row' : 'rows';
  const why = [target.defaultedEmpty > 0 ? `${formatCount(target.defaultedEmpty)} empty` : '', unmapped ? `not in the map: ${valueList(unmapped)}` : ''].filter((part) => part !== '');
  return `${target.at}: ${formatCount(target.defaulted)} ${unit} took the default ${JSON.stringify(target.fallback)}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
}

/** `"Escalated" × 12, "on-hold" × 3 and 4 more values`. */
function valueList(values: UnmappedValues): string {
  const shown = values.values.slice(0, SHOWN_VALUES).map(({ value, count }) => `${JSON.stringify(value)} × ${formatCount(count)}`);
  const more = values.distinct - shown.length + (values.other > 0 ? 1 : 0);
  return shown.join(', ') + (more > 0 ? ` and ${values.other > 0 ? 'over ' : ''}${formatCount(more)} more ${more === 1 ? 'value' : 'values'}` : '');
}

/** The last sentence of `validate --strict`: why it refuses the files, or that nothing is lost. */
export function strictLine(reasons: readonly string[]): string {
  if (reasons.length === 0) return 'Strict: every row is valid and every value of the export is carried.';
  return `Strict: refused, because ${reasons.join('; ')}.`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

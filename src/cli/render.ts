import { LOSS_KINDS, type LossCounts, type LossKind } from '../mapping/losses.js';
import cliProgress from 'cli-progress';
import type { ProgressSnapshot } from '../pipeline/progress.js';
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

/** The only place that prints: results on stdout, progress and notes on stderr. */
export class Renderer {
  private bar: cliProgress.SingleBar | undefined;
  private readonly startedAt = Date.now();
  private lastStatusAt = this.startedAt;

  constructor(
    private readonly streams: CliStreams,
    private readonly options: RenderOptions = {},
  ) {}

  /** A command's human-readable result (suppressed with --json, where stdout holds JSON only). */
  result(text: string): void {
    if (!this.options.json) this.streams.stdout.write(ensureNewline(text));
  }

  /** The one JSON object of `--json`. */
  json(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A note for the person at the terminal (warnings, hints); silent with --quiet. */
  note(text: string): void {
    if (!this.options.quiet) this.streams.stderr.write(ensureNewline(text));
  }

  /** An error sentence; always printed. */
  error(text: string): void {
    this.stopProgress();
    this.streams.stderr.write(ensureNewline(text));
  }

  /** Shows progress: a bar on a terminal, a status line every few seconds otherwise. */
  progress(snapshot: ProgressSnapshot): void {
    if (this.options.quiet) return;
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

  private rowRate(snapshot: ProgressSnapshot): number {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return seconds > 0 ? Math.round(snapshot.rows / seconds) : 0;
  }
}

/** `12,000 rows (45%) · valid 11,990 · invalid 10 · 4.2 s` — the status line written when stderr is not a terminal. */
export function formatStatusLine(snapshot: ProgressSnapshot, elapsedMs: number): string {
  const percent = snapshot.totalBytes > 0 ? Math.floor((snapshot.bytesRead / snapshot.totalBytes) * 100) : 100;
  return `${formatCount(snapshot.rows)} rows (${percent}%) · ${formatCounts(snapshot.counts)} · ${(elapsedMs / 1000).toFixed(1)} s`;
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, value]) => `${name} ${formatCount(value)}`)
    .join(' · ');
}

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

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

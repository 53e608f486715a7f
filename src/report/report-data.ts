import type { ErrorExample, ErrorGroup, InvalidReason, LedgerReader, RunMinute, RunRecord, StatusState, VerificationRecord } from '../ledger/ledger-reader.js';

/**
 * What the migration report shows, read from a ledger in one snapshot. The figures are read
 * through the same `LedgerReader` methods as `status --json`, so the page and `status` cannot count
 * differently.
 */

/** Example rows shown per error group and per invalid reason. */
export const EXAMPLES_SHOWN = 3;

/** Error groups shown: as many as `status` lists. */
export const ERRORS_SHOWN = 5;

/** Mismatches of the latest verification listed on the page. */
export const MISMATCHES_SHOWN = 20;

/** A group of the commonest errors with a few of its rows. */
export interface ReportErrorGroup extends ErrorGroup {
  examples: ErrorExample[];
}

/** Everything the page shows. */
export interface ReportData {
  ledger: string;
  /** When the report was written, ISO 8601 UTC. */
  generatedAt: string;
  counts: Record<StatusState, number>;
  /** Thread messages per state; undefined for a ledger from before threads. */
  messages: Record<string, number> | undefined;
  runs: RunRecord[];
  learnedRate: number | undefined;
  topErrors: ReportErrorGroup[];
  invalid: InvalidReason[];
  /** Answers per minute of every run (empty for a ledger from before schema 6). */
  minutes: RunMinute[];
  verification: VerificationRecord | undefined;
}

/** Reads what the report shows from an open reader. */
export function readReportData(reader: LedgerReader, now: Date = new Date()): ReportData {
  return {
    ledger: reader.path,
    generatedAt: now.toISOString(),
    counts: reader.counts(),
    messages: reader.messageCounts(),
    runs: reader.runs(),
    learnedRate: reader.learnedRate(),
    topErrors: reader.topErrors(ERRORS_SHOWN).map((group) => ({ ...group, examples: reader.errorExamples(group, EXAMPLES_SHOWN) })),
    invalid: reader.invalidReasons(EXAMPLES_SHOWN),
    minutes: reader.runMinutes(),
    verification: reader.latestVerification(MISMATCHES_SHOWN),
  };
}

/** The chart's columns: minute starts (Unix seconds) and per-minute requests, 429s and failures; null between runs (a gap in the lines). */
export interface ChartSeries {
  minutes: number[];
  requests: (number | null)[];
  throttled: (number | null)[];
  failures: (number | null)[];
}

/**
 * The minutes as chart columns: a minute of a run without answers is a zero (the run went on), the
 * time between two runs a gap; minutes two runs share are added up.
 */
export function toChartSeries(minutes: readonly RunMinute[]): ChartSeries {
  const series: ChartSeries = { minutes: [], requests: [], throttled: [], failures: [] };
  const byRun = new Map<number, Map<number, RunMinute>>();
  for (const minute of minutes) {
    const run = byRun.get(minute.runId) ?? new Map<number, RunMinute>();
    byRun.set(minute.runId, run);
    run.set(Date.parse(minute.minute) / 1000, minute);
  }
  const points = new Map<number, { requests: number; throttled: number; failures: number } | null>();
  for (const run of byRun.values()) {
    const starts = [...run.keys()].filter(Number.isFinite);
    if (starts.length === 0) continue;
    const first = Math.min(...starts);
    const last = Math.max(...starts);
    for (let at = first; at <= last; at += 60) {
      const minute = run.get(at);
      const point = points.get(at) ?? { requests: 0, throttled: 0, failures: 0 };
      if (minute) Object.assign(point, { requests: point.requests + minute.requests, throttled: point.throttled + minute.throttled, failures: point.failures + minute.failures });
      points.set(at, point);
    }
    // The minute after a run ends its line, unless another run answered then.
    if (!points.has(last + 60)) points.set(last + 60, null);
  }
  for (const at of [...points.keys()].sort((a, b) => a - b)) {
    const point = points.get(at) ?? null;
    series.minutes.push(at);
    series.requests.push(point?.requests ?? null);
    series.throttled.push(point?.throttled ?? null);
    series.failures.push(point?.failures ?? null);
  }
  // A trailing gap draws nothing.
  while (series.minutes.length > 0 && series.requests.at(-1) === null) {
    for (const column of Object.values(series)) (column as unknown[]).pop();
  }
  return series;
}

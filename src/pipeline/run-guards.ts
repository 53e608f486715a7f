import { ImportError } from '../errors.js';
import { DEFAULT_KEY_FIELD } from '../mapping/compile.js';
import type { SendContext } from './attempt.js';

/** Rows of this run an error rate is judged on, at the least. */
const ERROR_RATE_MIN_ROWS = 50;

/** Requests in a row that could not reach the API before the run stops as unreachable (exit 3). */
const UNREACHABLE_AFTER = 25;

/**
 * `--max-errors` / `--max-error-rate`: a bad mapping or a channel the API rejects makes every row
 * fail; stop early (resumable) instead of burning through a million rows.
 */
export function errorBudget(limits: { maxErrors?: number; maxErrorRate?: number }, abort: SendContext['abort']): (failed: boolean) => void {
  let seen = 0;
  let errors = 0;
  return (failed) => {
    seen += 1;
    if (failed) errors += 1;
    if (abort.error) return;
    if (limits.maxErrors !== undefined && errors >= limits.maxErrors) {
      abort.error = new ImportError('ERROR_BUDGET', `${errors} rows were rejected, failed or invalid, the most --max-errors allows: stopped early. Check the errors (the ledger keeps each one), fix the mapping or the export, and run again.`);
    } else if (limits.maxErrorRate !== undefined && seen >= ERROR_RATE_MIN_ROWS && errors / seen >= limits.maxErrorRate) {
      const share = `${Math.round((errors / seen) * 100)}%`;
      abort.error = new ImportError('ERROR_BUDGET', `${share} of the ${seen} rows so far were rejected, failed or invalid, over --max-error-rate: stopped early. Fix the mapping or the export, and run again.`);
    }
  };
}

/** Stops the run (exit 3) after UNREACHABLE_AFTER answers in a row that never reached the API. */
export function watchReachability(abort: SendContext['abort']): NonNullable<SendContext['onOutcome']> {
  let unreachable = 0;
  return (outcome) => {
    unreachable = outcome.kind === 'not-sent' ? unreachable + 1 : 0;
    if (unreachable >= UNREACHABLE_AFTER && outcome.kind === 'not-sent') {
      abort.error ??= new ImportError('API_UNREACHABLE', `The API cannot be reached: ${outcome.reason}.`);
    }
  };
}

/**
 * The row key is how the ledger and Re:amaze know a ticket: a new `source.key` or `key_field` on
 * an existing ledger would make every ticket look new and create it again. Refused (exit 2).
 */
export function refuseKeyChange(previous: string | undefined, current: string): void {
  if (!previous) return;
  const keyOf = (canonical: string) => {
    const source = (JSON.parse(canonical) as { source?: { key?: unknown; key_field?: unknown } }).source ?? {};
    return { key: JSON.stringify(source.key ?? null), field: JSON.stringify(source.key_field ?? DEFAULT_KEY_FIELD) };
  };
  const before = keyOf(previous);
  const after = keyOf(current);
  if (before.key === after.key && before.field === after.field) return;
  const what = before.key !== after.key ? `source.key from ${before.key} to ${after.key}` : `source.key_field from ${before.field} to ${after.field}`;
  throw new ImportError('CONFIG_INVALID', `The mapping changes ${what} since the last run of this ledger: every ticket would get a new key and be created again. Restore it, or start a new import with a new --ledger.`);
}

/**
 * Waits for the tickets in flight; once a signal came (before or during the wait) only `graceMs`
 * more. True when they all finished; false when the grace ran out first.
 */
export async function settleInFlight(inFlight: Set<Promise<void>>, signal: AbortSignal | undefined, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<false>((resolve) => {
    const start = () => (timer = setTimeout(() => resolve(false), graceMs));
    if (signal?.aborted) start();
    else signal?.addEventListener('abort', start, { once: true });
  });
  const settled = await Promise.race([Promise.all(inFlight).then(() => true), grace]);
  clearTimeout(timer);
  return settled;
}

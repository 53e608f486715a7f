import { DEFAULT_RETRY_POLICY } from '../reamaze/retry-policy.js';
import { attempt, newBudget, type SendContext } from './attempt.js';
import { abortError, decideAnswer, EXHAUSTED } from './fate.js';

/** Attempts at reaching the API before the run gives up as unreachable. */
const ATTEMPTS = 4;

/**
 * One cheap authenticated request before any row is read: bad credentials, an unknown brand or an
 * unreachable API stop the run here, with nothing sent and nothing marked in the ledger.
 */
export async function preflight(context: SendContext): Promise<void> {
  const read = await attempt({
    request: 'preflight',
    send: async () => {
      const answer = await context.client.findByData(context.keyField, 'reamaze-import-preflight');
      return 'slugs' in answer ? { read: true } : answer;
    },
  }, context, newBudget({ ...DEFAULT_RETRY_POLICY, maxAttempts: ATTEMPTS }));
  if (read.end === 'read') return;
  if (read.end === 'exhausted') throw abortError(EXHAUSTED.preflight, read.outcome, true);
  // Stopped by a signal: the run ends before reading anything.
  if (!read.outcome) return;
  const { effect } = decideAnswer('preflight', read.outcome);
  throw abortError(effect === 'abort-auth' || effect === 'abort-redirect' ? effect : 'abort-brand', read.outcome, true);
}

import { ImportError } from '../errors.js';
import type { ReamazeClient } from '../reamaze/client.js';
import { backoffDelay, DEFAULT_RETRY_POLICY } from '../reamaze/retry-policy.js';
import type { Throttle } from '../reamaze/throttle.js';

/** Attempts at reaching the API before the run gives up as unreachable. */
const ATTEMPTS = 4;

/**
 * One cheap authenticated request before any row is read: bad credentials, an unknown brand or an
 * unreachable API stop the run here, with nothing sent and nothing marked in the ledger.
 */
export async function preflight(client: ReamazeClient, throttle: Throttle, keyField: string): Promise<void> {
  let reason = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const answer = await throttle.schedule(() => client.findByData(keyField, 'reamaze-import-preflight'));
    if ('slugs' in answer) return;
    if (answer.kind === 'auth') {
      throw new ImportError('AUTH_FAILED', `The API refused the credentials (${answer.status}): check REAMAZE_EMAIL and REAMAZE_API_TOKEN (that staff member's API token). Nothing was sent.`);
    }
    if (answer.kind === 'not-found') {
      throw new ImportError('BRAND_UNKNOWN', 'The API answered 404 for /conversations: check REAMAZE_BRAND (or --base-url). Nothing was sent.');
    }
    if (answer.kind === 'throttled') throttle.noteThrottled(answer.retryAfterMs);
    reason = 'reason' in answer ? answer.reason : `it answered ${'status' in answer ? answer.status : 'in an unexpected way'}`;
    if (answer.kind !== 'throttled') await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, DEFAULT_RETRY_POLICY)));
  }
  throw new ImportError('API_UNREACHABLE', `The API cannot be reached: ${reason}. Nothing was sent; run the same command again later.`);
}

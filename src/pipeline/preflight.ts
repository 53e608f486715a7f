import { ImportError } from '../errors.js';
import { DEFAULT_RETRY_POLICY } from '../reamaze/retry-policy.js';
import { attempt, newBudget, type SendContext } from './attempt.js';
import { abortError, decideAnswer, EXHAUSTED } from './fate.js';
import { findByKey } from './send-row.js';
import type { TokenPool } from './token-pool.js';

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
      // A listing that is not filtered proves the API is there, not what it holds
      return 'slugs' in answer || answer.kind === 'undecidable' ? { read: true } : answer;
    },
  }, context, newBudget({ ...DEFAULT_RETRY_POLICY, maxAttempts: ATTEMPTS }));
  if (read.end === 'read') return;
  if (read.end === 'exhausted') throw abortError(EXHAUSTED.preflight, read.outcome, true);
  // Stopped by a signal: the run ends before reading anything.
  if (!read.outcome) return;
  const { effect } = decideAnswer('preflight', read.outcome);
  throw abortError(effect === 'abort-auth' || effect === 'abort-redirect' ? effect : 'abort-brand', read.outcome, true);
}

/**
 * Checks every token of the run before any row is read, all at once. One the API refuses is
 * retired, named in a warning, when another passes; every token refused, or anything else (an
 * unknown brand, a redirect, an unreachable API) stops the run as with one token. One token is
 * checked through `context` itself, exactly as a run of one token always was.
 */
export async function preflightTokens(pool: TokenPool, context: SendContext): Promise<void> {
  if (pool.tokens.length === 1) return preflight(context);
  const run = context.abort;
  const errors = await Promise.all(pool.tokens.map(async (token) => {
    // Its own abort flags: one token's refusal is not the run's, a signal still is.
    const abort = { error: undefined, get stopped() { return run.stopped === true; } };
    return preflight({ ...context, client: token.client, throttle: token.throttle, abort }).then(() => undefined, (error: unknown) => error);
  }));
  const refused = (error: unknown): error is ImportError => error instanceof ImportError && error.code === 'AUTH_FAILED';
  const other = errors.find((error) => error !== undefined && !refused(error));
  if (other !== undefined) throw other;
  if (errors.every(refused)) {
    const who = pool.tokens.map((token) => token.email ?? '?').join(', ');
    throw new ImportError('AUTH_FAILED', `The API refused the token of every staff member of the credentials file (${who}): check their API tokens. Nothing was sent.`);
  }
  errors.forEach((error, index) => {
    const token = pool.tokens[index];
    if (token && refused(error)) pool.retire(token, error, run);
  });
}

/** How many of a new ledger's first tickets are looked up before its first POST. */
export const SAMPLE_SIZE = 20;

/**
 * A ledger that never sent anything (new, a zero-byte file, a lost ledger's replacement, a second
 * machine's) cannot know what Re:amaze holds: the keys of its first tickets are looked up before
 * anything is sent, and one found there refuses the run (exit 2), since every ticket would be
 * created a second time.
 */
export async function refuseImportedKeys(keys: readonly string[], context: SendContext, ledgerPath: string): Promise<void> {
  for (const key of keys) {
    const looked = await findByKey(key, context, newBudget());
    if ('stopped' in looked) return;
    if ('found' in looked && looked.found) {
      throw new ImportError(
        'KEYS_ALREADY_IMPORTED',
        `Re:amaze already holds ticket ${key}${looked.slug ? ` (conversation ${looked.slug})` : ''}, but the ledger ${ledgerPath} has never sent anything: ` +
          'it is new or empty, not the ledger of the import that created it. Nothing was sent. Use that import\'s ledger, ' +
          'or run the same command with --adopt-existing, which looks every key up and records what Re:amaze holds as done.',
      );
    }
    if ('undecidable' in looked) {
      throw new ImportError('API_UNREACHABLE', `Cannot check whether Re:amaze already holds the tickets of the new ledger ${ledgerPath}: looking ticket ${key} up by its key, the API listed conversations that do not carry it (the listing is not filtered: a proxy or an API that drops the query). Nothing was sent; check the base URL, or use the ledger of the import that created the tickets.`);
    }
    if ('gaveUp' in looked || 'failed' in looked) {
      const why = 'gaveUp' in looked ? looked.gaveUp : looked.failed;
      throw new ImportError('API_UNREACHABLE', `Cannot check whether Re:amaze already holds the tickets of the new ledger ${ledgerPath}: ${why}. Nothing was sent; run the same command again.`);
    }
  }
}

/** The first tickets of a run, held until their keys were checked (`refuseImportedKeys`). */
export interface FirstTickets<T> {
  /** The tickets to start now: none while the sample fills, then the whole sample, then each as it comes. */
  admit(ticket: T): Promise<T[]>;
  /** At the end of the reading: the tickets still held, once checked. */
  release(): Promise<T[]>;
}

/** Holds the first SAMPLE_SIZE tickets, then has `check` look their keys up before any is started. */
export function holdFirstTickets<T extends { row?: { key: string } }>(check: (keys: string[]) => Promise<void>): FirstTickets<T> {
  let held: T[] | undefined = [];
  const open = async (): Promise<T[]> => {
    const tickets = held ?? [];
    held = undefined;
    await check(tickets.flatMap((ticket) => (ticket.row ? [ticket.row.key] : [])));
    return tickets;
  };
  return {
    async admit(ticket) {
      if (!held) return [ticket];
      held.push(ticket);
      return held.length >= SAMPLE_SIZE ? open() : [];
    },
    release: () => (held ? open() : Promise.resolve([])),
  };
}

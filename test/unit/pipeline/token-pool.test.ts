import { describe, expect, it } from 'vitest';
import { ImportError } from '../../../src/errors.js';
import { MemoryLedger } from '../../../src/ledger/memory-ledger.js';
import type { ReamazeClient } from '../../../src/reamaze/client.js';
import { DEFAULT_RETRY_POLICY } from '../../../src/reamaze/retry-policy.js';
import { Throttle } from '../../../src/reamaze/throttle.js';
import type { SendContext } from '../../../src/pipeline/attempt.js';
import { isStopping } from '../../../src/pipeline/attempt.js';
import { TokenPool } from '../../../src/pipeline/token-pool.js';

const client = {} as ReamazeClient;
const refused = () => new ImportError('AUTH_FAILED', 'The API refused the credentials (401): check REAMAZE_EMAIL and REAMAZE_API_TOKEN.');

function pool(rates: number[], warn: (text: string) => void = () => undefined): TokenPool {
  return new TokenPool(rates.map((rate, i) => ({ email: `agent${i}@example.com`, client, throttle: new Throttle({ rate, maxRate: rate, concurrency: 4 }) })), warn);
}

function runContext(): SendContext {
  return { ledger: new MemoryLedger(), client, throttle: new Throttle({ rate: 1, maxRate: 1, concurrency: 1 }), retry: DEFAULT_RETRY_POLICY, keyField: 'import_key', abort: { error: undefined } };
}

describe('TokenPool', () => {
  it('gives the next ticket to the least loaded token for its rate, or to the one asked for', () => {
    const tokens = pool([10, 10, 5]);
    const run = runContext();
    const picked = Array.from({ length: 10 }, () => tokens.bind(run)!.token.email);
    // Ten tickets over 10, 10 and 5 requests a second: 4, 4 and 2.
    expect(picked.filter((email) => email === 'agent0@example.com')).toHaveLength(4);
    expect(picked.filter((email) => email === 'agent1@example.com')).toHaveLength(4);
    expect(picked.filter((email) => email === 'agent2@example.com')).toHaveLength(2);
    expect(tokens.pick('AGENT2@example.com')!.email).toBe('agent2@example.com');
    expect(tokens.rate).toBe(25);
  });

  it('retires a refused token alone: its contexts stop, the others go on; the run stops once none is left', () => {
    const warnings: string[] = [];
    const tokens = pool([10, 10], (text) => warnings.push(text));
    const run = runContext();
    const first = tokens.bind(run, 'agent0@example.com')!;
    const second = tokens.bind(run, 'agent1@example.com')!;
    first.context.onAuthFailed!(refused());
    expect(isStopping(first.context)).toBe(true);
    expect(isStopping(second.context)).toBe(false);
    expect(run.abort.error).toBeUndefined();
    expect(tokens.pick('agent0@example.com')!.email).toBe('agent1@example.com');
    expect(warnings).toEqual(["The API refused the token of agent0@example.com (401): it sends nothing more in this run, and its tickets go to the other token. Check that staff member's API token in the credentials file."]);
    second.context.onAuthFailed!(refused());
    expect(tokens.bind(run)).toBeUndefined();
    expect(run.abort.error?.code).toBe('AUTH_FAILED');
    expect(run.abort.error?.message).toBe('The API refused the token of every staff member of the credentials file (agent0@example.com, agent1@example.com): check their API tokens.');
  });

  it('with one token, a refusal stops the run with the refusal itself, and warns of nothing', () => {
    const warnings: string[] = [];
    const tokens = pool([1], (text) => warnings.push(text));
    const run = runContext();
    const error = refused();
    tokens.bind(run)!.context.onAuthFailed!(error);
    expect(run.abort.error).toBe(error);
    expect(warnings).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { checkNumber, describeRule, type NumberRule } from '../../../src/cli/numbers.js';
import { runCli } from '../../helpers/cli.js';

const ROWS: NumberRule = { unit: 'rows', whole: true, min: 1 };
const SHARE: NumberRule = { min: 0, above: true, max: 1, note: 'the share of the rows: 0.1 is 10%' };

describe('numeric options', () => {
  it('says what a rule allows in words', () => {
    expect(describeRule(ROWS)).toBe('a whole number of rows, at least 1');
    expect(describeRule(SHARE)).toBe('a number, above 0 and at most 1 (the share of the rows: 0.1 is 10%)');
    expect(describeRule({ whole: true, min: 0, max: 65535 })).toBe('a whole number, from 0 to 65535');
  });

  it('takes a number within the bounds, as typed or as yargs parsed it', () => {
    expect(checkNumber('--limit', ROWS, '12')).toBe(12);
    expect(checkNumber('--limit', ROWS, 3)).toBe(3);
    expect(checkNumber('--max-error-rate', SHARE, '0.25')).toBe(0.25);
    expect(checkNumber('--max-error-rate', SHARE, '1')).toBe(1);
  });

  it('refuses zero, negatives, fractions, words, exponents, no value and a repeated option, naming each', () => {
    const refusal = (rule: NumberRule, value: unknown) => {
      try {
        checkNumber('--limit', rule, value);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal(ROWS, 0)).toBe('--limit must be a whole number of rows, at least 1; got 0.');
    expect(refusal(ROWS, -1)).toBe('--limit must be a whole number of rows, at least 1; got -1.');
    expect(refusal(ROWS, 'abc')).toBe('--limit must be a whole number of rows, at least 1; got abc.');
    expect(refusal(ROWS, 2.5)).toBe('--limit must be a whole number of rows, at least 1; got 2.5.');
    expect(refusal(ROWS, '1e3')).toBe('--limit must be a whole number of rows, at least 1; got 1e3.');
    expect(refusal(ROWS, '0x10')).toBe('--limit must be a whole number of rows, at least 1; got 0x10.');
    expect(refusal(ROWS, true)).toBe('--limit needs a value: a whole number of rows, at least 1.');
    expect(refusal(ROWS, [3, 4])).toBe('--limit is given 2 times: give it once, a whole number of rows, at least 1.');
    expect(refusal(SHARE, 0)).toBe('--limit must be a number, above 0 and at most 1 (the share of the rows: 0.1 is 10%); got 0.');
    expect(refusal(SHARE, 1.5)).toMatch(/got 1\.5\.$/);
  });
});

describe('every numeric option of every command is checked before its handler runs', () => {
  const cases: [string[], string][] = [
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '--limit', '0'], '--limit must be a whole number of rows, at least 1; got 0.'],
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '--limit', '-1'], '--limit must be a whole number of rows, at least 1; got -1.'],
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '--limit', 'abc'], '--limit must be a whole number of rows, at least 1; got abc.'],
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '-c', '0'], '--concurrency must be a whole number of requests in flight, from 1 to 64; got 0.'],
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '--concurrency', '65'], '--concurrency must be a whole number of requests in flight, from 1 to 64; got 65.'],
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '--timeout', '0'], '--timeout must be a number of seconds, above 0 and at most 3600; got 0.'],
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '--max-errors', '0'], '--max-errors must be a whole number of rows, at least 1; got 0.'],
    [['run', 'x.csv', '-m', 'generic-csv', '-l', 'x.ledger', '--max-error-rate', '1.5'], '--max-error-rate must be a number, above 0 and at most 1 (the share of the rows: 0.1 is 10%); got 1.5.'],
    [['preview', 'x.csv', '-m', 'generic-csv', '-n', '0'], '-n must be a whole number of rows, at least 1; got 0.'],
    [['preview', 'x.csv', '-m', 'generic-csv', '-n', '-3'], '-n must be a whole number of rows, at least 1; got -3.'],
    [['preview', 'x.csv', '-m', 'generic-csv', '-n', 'abc'], '-n must be a whole number of rows, at least 1; got abc.'],
    [['preview', 'x.csv', '-m', 'generic-csv', '-n', '2.5'], '-n must be a whole number of rows, at least 1; got 2.5.'],
    [['sandbox', '--port', '70000'], '--port must be a whole number, from 0 to 65535 (0: any free port); got 70000.'],
    [['sandbox', '--port', '-1'], '--port must be a whole number, from 0 to 65535 (0: any free port); got -1.'],
    [['sandbox', '--rate-limit', '0'], '--rate-limit must be a number of requests per second, above 0; got 0.'],
    [['sandbox', '--latency', 'slow'], '--latency must be a number of milliseconds, from 0 to 3600000; got slow.'],
  ];
  it.each(cases)('%j', async (argv, sentence) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(sentence);
    expect(result.stdout).toBe('');
  });
});

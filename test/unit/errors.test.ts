import { describe, expect, it } from 'vitest';
import { describeErrno, errnoHint, ERROR_CODES, ExitCode, exitCodeFor, formatProblem, formatProblems, ImportError, type ErrorCode } from '../../src/errors.js';

const errno = (code: string, message = `${code}: something, open 'x'`) => Object.assign(new Error(message), { code });

describe('error codes', () => {
  it('gives every code a scope and one of the documented exit codes', () => {
    const codes = Object.keys(ERROR_CODES) as ErrorCode[];
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) {
      const { scope, exit } = ERROR_CODES[code];
      expect([0, 1, 2, 3, 130]).toContain(exit);
      // A row error never stops the command: it only makes the run finish with 1.
      expect(scope === 'row').toBe(exit === ExitCode.ROWS_FAILED);
      expect(exitCodeFor(code)).toBe(exit);
    }
  });

  it('maps codes to the exit codes of DESIGN.md', () => {
    expect(exitCodeFor('USAGE')).toBe(2);
    expect(exitCodeFor('MAPPING_INVALID')).toBe(2);
    expect(exitCodeFor('LEDGER_LOCKED')).toBe(2);
    expect(exitCodeFor('AUTH_FAILED')).toBe(3);
    expect(exitCodeFor('API_UNREACHABLE')).toBe(3);
    expect(exitCodeFor('ERROR_BUDGET')).toBe(3);
    expect(exitCodeFor('INTERRUPTED')).toBe(130);
    expect(exitCodeFor('ROW_INVALID')).toBe(1);
    expect(exitCodeFor('API_REJECTED')).toBe(1);
  });

  it('lists the row codes (a new one is a visible change)', () => {
    const rows = Object.entries(ERROR_CODES).filter(([, entry]) => entry.scope === 'row').map(([code]) => code);
    expect(rows).toEqual(['ROW_MALFORMED', 'ROW_ENCODING', 'ROW_INVALID', 'ROW_DUPLICATE', 'API_REJECTED', 'API_FAILED', 'API_UNCERTAIN']);
  });

  it("takes an ImportError's scope from the table", () => {
    expect(new ImportError('LEDGER_LOCKED', 'x').scope).toBe('run');
    expect(new ImportError('ROW_INVALID', 'x', { file: 'a.csv', line: 3 })).toMatchObject({ scope: 'row', file: 'a.csv', line: 3 });
  });
});

describe('row problems', () => {
  it('read `path: message`, or the message alone, joined by "; "', () => {
    const problems = [
      { code: 'ROW_INVALID', path: 'conversation.user.email', message: 'must be an email address, got "b@"' },
      { code: 'ROW_ENCODING', message: 'is not valid UTF-8' },
    ] as const;
    expect(formatProblem(problems[0])).toBe('conversation.user.email: must be an email address, got "b@"');
    expect(formatProblem(problems[1])).toBe('is not valid UTF-8');
    expect(formatProblems(problems)).toBe('conversation.user.email: must be an email address, got "b@"; is not valid UTF-8');
    expect(formatProblems([])).toBe('');
  });
});

describe('describeErrno', () => {
  it('says what a file system or network error means, and what to do', () => {
    expect(describeErrno(errno('ENOENT'))).toBe('no such file');
    expect(describeErrno(errno('ENOENT'), { writing: true })).toBe('no such file or directory');
    expect(describeErrno(errno('ENOSPC'), { writing: true })).toBe('no space left on the device');
    expect(describeErrno(errno('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'))).toBe('connection refused');
    expect(errnoHint(errno('EISDIR'))).toBe('give the path of an export file, not a folder');
    expect(errnoHint(errno('EWHAT'))).toBe('check that the file can be read');
  });

  it('keeps the words of an unknown code, never a stack', () => {
    expect(describeErrno(errno('EBUSY', "EBUSY: resource busy or locked, open 'x'"))).toBe("resource busy or locked, open 'x'");
    expect(describeErrno(errno('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:443'))).toBe('etimedout (connect ETIMEDOUT 10.0.0.1:443)');
    expect(describeErrno(new Error('plain'))).toBe('plain');
    expect(describeErrno('text')).toBe('text');
    expect(describeErrno(errno('constructor', 'odd'))).toBe('constructor (odd)');
  });
});

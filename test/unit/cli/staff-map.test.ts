import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStaffMap } from '../../../src/cli/staff-map.js';
import { ImportError } from '../../../src/errors.js';

describe('readStaffMap', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'staff-map-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const failure = (path: string): ImportError => {
    try {
      readStaffMap(path);
    } catch (error) {
      return error as ImportError;
    }
    throw new Error('expected readStaffMap to throw');
  };

  it('reads a JSON object: old e-mails in lower case, ids as written, targets in lower case', () => {
    const path = file('map.json', '\uFEFF{"Jane@Old.Example": "Jane@Brand.io", " A-42 ": "bob@brand.io"}');
    expect([...readStaffMap(path)]).toEqual([['jane@old.example', 'jane@brand.io'], ['A-42', 'bob@brand.io']]);
    expect(readStaffMap(file('empty.json', '{}')).size).toBe(0);
  });

  it('reads CSV lines with a header, CRLF, quotes and blank lines', () => {
    const path = file('map.csv', 'old,new\r\n"Jane@Old.Example","jane@brand.io"\r\n\r\nA-42 , bob@brand.io\r\n');
    expect([...readStaffMap(path)]).toEqual([['jane@old.example', 'jane@brand.io'], ['A-42', 'bob@brand.io']]);
  });

  it('reads CSV lines without a header, separated by "," ";" or a tab', () => {
    const path = file('map.txt', 'jane@old.example,jane@brand.io\nBob@Old.Example;Bob@Brand.io\n42\tann@brand.io\n');
    expect(readStaffMap(path)).toEqual(new Map([['jane@old.example', 'jane@brand.io'], ['bob@old.example', 'bob@brand.io'], ['42', 'ann@brand.io']]));
  });

  it('refuses a target that is no e-mail, naming its line', () => {
    const path = file('typo.csv', 'old,new\njane@old.example,jane@brand.io\nbob@old.example,bob.brand.io\n');
    const error = failure(path);
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.file).toBe(path);
    expect(error.message).toBe(`The staff map ${path} line 3 sends "bob@old.example" to "bob.brand.io", which is not an e-mail: give the Re:amaze staff member's e-mail.`);
    // A first line with an e-mail is data, not a header: its bad target is refused too.
    expect(failure(file('first.csv', 'jane@old.example,jane\n')).message).toContain('line 1 sends "jane@old.example" to "jane"');
    expect(failure(file('missing.csv', 'jane@old.example,jane@brand.io\n42\n')).message).toContain('line 2 sends "42" to ""');
    // A typo on the first line is no header either; a header after a blank line still is one.
    expect(failure(file('typo-first.csv', '42,jane.brand.io\n43,bob@brand.io\n')).message).toContain('line 1 sends "42" to "jane.brand.io"');
    expect(readStaffMap(file('blank-first.csv', '\nold,new\n42,bob@brand.io\n'))).toEqual(new Map([['42', 'bob@brand.io']]));
  });

  it('refuses a JSON target that is no e-mail, and text that is no JSON', () => {
    const bad = file('bad.json', '{"42": "bob"}');
    expect(failure(bad).code).toBe('CONFIG_INVALID');
    expect(failure(bad).message).toBe(`The staff map ${bad} sends "42" to "bob", which is not an e-mail: give the Re:amaze staff member's e-mail.`);
    // A JSON list is no map: said so, never read as CSV.
    const list = file('list.json', '[{"old": "jane@old.example", "new": "jane@brand.io"}]');
    expect(failure(list).message).toBe(`The staff map ${list} must be a JSON object {"old e-mail or id": "staff e-mail"}.`);
    const broken = file('broken.json', '{"a": 1');
    expect(failure(broken).code).toBe('CONFIG_INVALID');
    expect(failure(broken).message.startsWith(`The staff map ${broken} is not valid JSON: `)).toBe(true);
  });

  it('says why a file cannot be read', () => {
    const missing = join(dir, 'nope.csv');
    const error = failure(missing);
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.file).toBe(missing);
    expect(error.message).toBe(`Cannot read the staff map ${missing}: no such file.`);
    expect(failure(dir).message).toBe(`Cannot read the staff map ${dir}: it is a directory.`);
  });
});

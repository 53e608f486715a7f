import { describe, expect, it } from 'vitest';
import { countPerRecord, detectDelimiter, detectEncoding } from '../../../src/source/detect.js';
import { countBreaks } from '../../../src/source/lines.js';
import { utf16be } from './helpers.js';

describe('detectDelimiter', () => {
  it('counts delimiters outside quotes, per record, across quoted line breaks', () => {
    expect(countPerRecord('a,b\n"x,\ny",2\n\n3,"4,5"\n', ',', true)).toEqual([1, 1, 1]);
  });

  it('leaves out a record the sample cut, unless it is the only one', () => {
    expect(countPerRecord('a,b,c\n1,2,3\n4,5', ',', false)).toEqual([2, 2]);
    expect(countPerRecord('a,b,c', ',', false)).toEqual([2]);
  });

  it('falls back to a comma for a single column', () => {
    expect(detectDelimiter('name\nAnn\nBob\n', true)).toBe(',');
  });

  it('prefers consistency over number', () => {
    expect(detectDelimiter('a|b|c\n1|2,3,4,5|3\n4|5|6\n', true)).toBe('|');
  });
});

describe('detectEncoding', () => {
  it('reads BOMs, and lets a BOM win over source.encoding with a warning', () => {
    expect(detectEncoding(Buffer.from('\uFEFFa', 'utf8'), undefined, 'f')).toEqual({ encoding: 'utf-8', bomLength: 3 });
    const guess = detectEncoding(utf16be('\uFEFFa'), 'windows-1252', 'f');
    expect(guess).toMatchObject({ encoding: 'utf-16be', bomLength: 2 });
    expect(guess.warning).toBe('starts with a utf-16be byte-order mark, so it is read as utf-16be, not windows-1252 as source.encoding says');
  });

  it('normalises labels', () => {
    expect(detectEncoding(Buffer.from('a'), 'Latin1', 'f').encoding).toBe('windows-1252');
    expect(detectEncoding(Buffer.from('a\0'), 'UTF-16LE', 'f').encoding).toBe('utf-16le');
  });
});

describe('countBreaks', () => {
  it('counts CRLF once and lone CR or LF once', () => {
    expect(countBreaks('a\r\nb\nc\rd\r\n\r\n')).toBe(5);
  });
});

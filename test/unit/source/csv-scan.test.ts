import { describe, expect, it } from 'vitest';
import { createCsvParser } from '../../../src/source/csv.js';
import { CsvScanner } from '../../../src/source/csv-scan.js';
import { scanAgainstCsvParse, seeded } from './csv-scan-helpers.js';

describe('CsvScanner against csv-parse', () => {
  it('gives the records of csv-parse for the common grammar and every irregular case, cut at every place', () => {
    const texts = [
      'id,body\n1,plain\n2,"quoted, with ""quotes"" and\nlines"\n',
      'a,b\r\n1,2\r\n\r\n3,"x\r\ny"\r\n',
      'a,b\n1,5" screen\n2,ok\n', // a quote inside an unquoted field (relax_quotes)
      'a,b\n1,"closed"after\n2,ok\n', // text after a closing quote
      'a,b\r1,2\r3,4\n5,6\r\n', // lone CRs: record delimiters too
      'a,b\n1,"never closed\n2,ok\n', // an unclosed quote at the end
      'a,b\n1,"x"\r2,y\n', // a closing quote then a lone CR
      '\uFEFFa,b\n"",""""\n"""",x\n,\n\n', // a literal BOM, empty and quote-only fields, blank lines
      'a;b\n1;"é;日本"\n2;😀\n', // another delimiter, non-ASCII text
      'a,b\n1,2', // no line break at the end
      'a,b\n1,"2"', // a quoted field at the very end
      '', // nothing at all
      '\n\n\r\n', // only blank lines
    ];
    for (const text of texts) {
      const delimiter = text.includes(';') ? ';' : ',';
      const places = Array.from({ length: text.length + 1 }, (_, cut) => cut);
      scanAgainstCsvParse(text, delimiter, places.map((cut) => [cut]));
      scanAgainstCsvParse(text, delimiter, places.map((cut) => [cut, cut + 1, cut + 3]), 4);
    }
  });

  it('reports csv-parse\'s own error for an unclosed quote, after the records before it', () => {
    const scanner = new CsvScanner(',');
    const rows: string[][] = [];
    expect(scanner.parse('id,body\n1,ok\n2,"open\nand open', false, (cells) => rows.push(cells))).toBeUndefined();
    const error = scanner.parse('', true, (cells) => rows.push(cells));
    expect((error as { code?: string } | undefined)?.code).toBe('CSV_QUOTE_NOT_CLOSED');
    expect(rows).toEqual([['id', 'body'], ['1', 'ok']]);
  });

  it('leaves a record longer than its hand-over size to csv-parse, and the rest of the text with it', () => {
    const body = 'x'.repeat(300);
    const text = `id,body\n1,"${body}"\n2,"${body}"\n3,last\n`;
    const cutSets = Array.from({ length: Math.ceil(text.length / 7) }, (_, i) => [7 * i, 7 * i + 100, 7 * i + 200]);
    scanAgainstCsvParse(text, ',', cutSets, 50);
  });

  it('reads a multi-character delimiter with csv-parse alone', () => {
    scanAgainstCsvParse('a||b\n1||"x||y"\n2||3\n', '||', [[], [5, 9]]);
  });

  it('matches csv-parse on seeded random CSV, at random chunk boundaries', () => {
    const random = seeded(14);
    const atoms = ['a', 'b', 'é', '日', '😀', ' ', ',', ';', '"', '""', '\n', '\r', '\r\n', '\uFEFF', 'x y'];
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    const field = (): string => {
      const plain = Array.from({ length: Math.floor(random() * 4) }, () => pick(['a', 'bc', 'é', '日本', '😀', ' '])).join('');
      if (random() < 0.5) return plain;
      const inner = Array.from({ length: Math.floor(random() * 4) }, () => pick(['a', ',', '""', '\n', '\r\n', '\r', 'é'])).join('');
      return `"${inner}"`;
    };
    for (let round = 0; round < 3000; round++) {
      let text: string;
      if (round % 3 === 0) {
        // Soup: any sequence of the characters that matter
        text = Array.from({ length: Math.floor(random() * 40) }, () => pick(atoms)).join('');
      } else {
        // Mostly well-formed CSV, with a rare break of the common grammar
        const lines = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
          Array.from({ length: 1 + Math.floor(random() * 4) }, () => (random() < 0.03 ? pick(atoms) : field())).join(','),
        );
        const breaks = () => pick(['\n', '\n', '\r\n', '\r', '\n\n']);
        text = lines.map((line) => line + breaks()).join('');
        if (random() < 0.2) text = text.slice(0, Math.floor(random() * text.length));
      }
      const cuts = Array.from({ length: Math.floor(random() * 4) }, () => Math.floor(random() * (text.length + 1)));
      scanAgainstCsvParse(text, ',', [cuts.sort((a, b) => a - b)], random() < 0.3 ? 1 + Math.floor(random() * 20) : undefined);
    }
  });

  it('is checked against a reference that can tell records apart', () => {
    // The reference itself: csv-parse splits a quoted line break but not an unquoted one
    const rows: string[][] = [];
    createCsvParser(',').parse(Buffer.from('1,"a\nb"\n2,c\n'), true, (cells) => rows.push(cells), () => {});
    expect(rows).toEqual([['1', 'a\nb'], ['2', 'c']]);
    expect(() => scanAgainstCsvParse('1,2\n', ',', [[]], undefined, (rows) => rows.slice(1))).toThrow();
  });
});

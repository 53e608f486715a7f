import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linesAndFields, makeTempDir, readAll, rejection, utf16be, type TempDir } from './helpers.js';

let temp: TempDir;
beforeEach(async () => {
  temp = await makeTempDir();
});
afterEach(async () => {
  await temp.remove();
});

describe('CSV line numbers', () => {
  it('names the physical line a record starts on, with multi-line bodies and blank lines', async () => {
    const text = [
      'id,body', // 1
      '1,"first', // 2
      'second', // 3
      'third"', // 4
      '', // 5
      '2,plain', // 6
      '', // 7
      '', // 8
      '3,"a', // 9
      '', // 10 (inside quotes: part of the body)
      'b"', // 11
      '4,end', // 12
    ].join('\n');
    const { records } = await readAll(await temp.write('t.csv', text));
    expect(records.map((record) => [record.line, record.recordNo, record.fields['id']])).toEqual([
      [2, 1, '1'],
      [6, 2, '2'],
      [9, 3, '3'],
      [12, 4, '4'],
    ]);
    expect(records[2]?.fields['body']).toBe('a\n\nb');
  });

  it('counts a quoted body of 12 lines as 12 lines', async () => {
    const body = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    const { records } = await readAll(await temp.write('t.csv', `id,body\n1,"${body}"\n2,next\n`));
    expect(records.map((record) => record.line)).toEqual([2, 14]);
  });

  it('handles CRLF, CR-only and mixed CRLF/LF record endings', async () => {
    const crlf = await readAll(await temp.write('crlf.csv', 'a,b\r\n1,"x\r\ny"\r\n\r\n2,z\r\n'));
    expect(linesAndFields(crlf.records)).toEqual([
      [2, { a: '1', b: 'x\r\ny' }],
      [5, { a: '2', b: 'z' }],
    ]);
    const cr = await readAll(await temp.write('cr.csv', 'a,b\r1,"x\ry"\r\r2,z\r'));
    expect(linesAndFields(cr.records)).toEqual([
      [2, { a: '1', b: 'x\ry' }],
      [5, { a: '2', b: 'z' }],
    ]);
    const mixed = await readAll(await temp.write('mixed.csv', 'a,b\r\n1,x\n2,y\r\n3,"p\nq"\r\n4,w'));
    expect(linesAndFields(mixed.records)).toEqual([
      [2, { a: '1', b: 'x' }],
      [3, { a: '2', b: 'y' }],
      [4, { a: '3', b: 'p\nq' }],
      [6, { a: '4', b: 'w' }],
    ]);
  });

  it('counts lines right across many chunks of a large file', async () => {
    const rows = ['id,body'];
    const expected: number[] = [];
    let line = 2;
    for (let i = 1; i <= 5000; i++) {
      const breaks = i % 4;
      expected.push(line);
      rows.push(`${i},"${'text '.repeat(20)}${'\r\n'.repeat(breaks)}end"`);
      line += 1 + breaks + (i % 7 === 0 ? 1 : 0);
      if (i % 7 === 0) rows.push('');
    }
    const { records } = await readAll(await temp.write('big.csv', rows.join('\r\n')));
    expect(records.map((record) => record.line)).toEqual(expected);
  });
});

describe('CSV encodings', () => {
  const text = 'name,city\nZoë,Zürich\n';

  it('removes a UTF-8 BOM', async () => {
    const { source, records } = await readAll(await temp.write('t.csv', `\uFEFF${text}`));
    expect(source.columns).toEqual(['name', 'city']);
    expect(records[0]?.fields).toEqual({ name: 'Zoë', city: 'Zürich' });
    expect(source.dialect.encoding).toBe('utf-8');
  });

  it('decodes UTF-16LE and UTF-16BE with a BOM', async () => {
    const le = await readAll(await temp.write('le.csv', Buffer.from(`\uFEFF${text}`, 'utf16le')));
    expect(le.source.dialect.encoding).toBe('utf-16le');
    expect(linesAndFields(le.records)).toEqual([[2, { name: 'Zoë', city: 'Zürich' }]]);
    const be = await readAll(await temp.write('be.csv', utf16be(`\uFEFF${text}`)));
    expect(be.source.dialect.encoding).toBe('utf-16be');
    expect(linesAndFields(be.records)).toEqual([[2, { name: 'Zoë', city: 'Zürich' }]]);
  });

  it('detects BOM-less UTF-16 by its NUL pattern', async () => {
    const le = await readAll(await temp.write('le.csv', Buffer.from(text, 'utf16le')));
    expect(le.source.dialect.encoding).toBe('utf-16le');
    expect(le.records[0]?.fields).toEqual({ name: 'Zoë', city: 'Zürich' });
    const be = await readAll(await temp.write('be.csv', utf16be(text)));
    expect(be.source.dialect.encoding).toBe('utf-16be');
    expect(be.records[0]?.fields).toEqual({ name: 'Zoë', city: 'Zürich' });
  });

  it('reads windows-1252 when source.encoding says so', async () => {
    const bytes = Buffer.from([...Buffer.from('name,price\nCaf'), 0xe9, ...Buffer.from(',5 '), 0x80, 0x0a]);
    const { source, records } = await readAll(await temp.write('t.csv', bytes), { encoding: 'windows-1252' });
    expect(source.dialect.encoding).toBe('windows-1252');
    expect(records[0]?.fields).toEqual({ name: 'Café', price: '5 €' });
    const latin1 = await readAll(await temp.write('l.csv', bytes), { encoding: 'latin1' });
    expect(latin1.records[0]?.fields).toEqual({ name: 'Café', price: '5 €' });
  });

  it('flags a row with invalid UTF-8 and keeps the others clean', async () => {
    const bytes = Buffer.concat([
      Buffer.from('name,city\nAnn,Paris\nCaf'),
      Buffer.from([0xe9]),
      Buffer.from(',Lyon\nBob,Oslo\n'),
    ]);
    const { records } = await readAll(await temp.write('t.csv', bytes));
    expect(records.map((record) => [record.line, record.problem?.code])).toEqual([
      [2, undefined],
      [3, 'ROW_ENCODING'],
      [4, undefined],
    ]);
    expect(records[1]?.fields).toEqual({ name: 'Caf\uFFFD', city: 'Lyon' });
    expect(records[1]?.problem?.message).toMatchInlineSnapshot(
      `"is not valid UTF-8: some bytes were replaced by "�" — set source.encoding (e.g. "windows-1252") if the file uses another encoding"`,
    );
  });

  it('does not call a multi-byte character split across chunks invalid', async () => {
    const filler = 'x'.repeat(64 * 1024 - 'a,b\n1,'.length - 1);
    const { records } = await readAll(await temp.write('t.csv', `a,b\n1,${filler}é\n2,ü\n`));
    expect(records.map((record) => record.problem)).toEqual([undefined, undefined]);
    expect(String(records[0]?.fields['b']).endsWith('xé')).toBe(true);
  });

  it('refuses an unknown encoding label', async () => {
    const error = await rejection(readAll(await temp.write('t.csv', text), { encoding: 'klingon' }));
    expect(error.code).toBe('FILE_UNREADABLE');
    expect(error.message).toMatch(/^cannot read the source file: "klingon" is not a known encoding \(source\.encoding\) \(.*t\.csv\) — use a label such as utf-8/);
  });
});

describe('CSV delimiters', () => {
  it.each([
    [';', 'a;b;c\n1;2;3\n'],
    ['\t', 'a\tb\tc\n1\t2\t3\n'],
    ['|', 'a|b|c\n1|2|3\n'],
    [',', 'a,b,c\n1,2,3\n'],
  ])('detects %j', async (delimiter, text) => {
    const { source, records } = await readAll(await temp.write('t.txt', text));
    expect(source.dialect.delimiter).toBe(delimiter);
    expect(records[0]?.fields).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('is not fooled by semicolons inside quoted bodies of a comma file', async () => {
    const text = 'id,subject,body\n1,Hi,"a; b; c; d"\n2,Yo,"x;y;z;w;v"\n3,Ok,"; ; ;"\n';
    const { source, records } = await readAll(await temp.write('t.csv', text));
    expect(source.dialect.delimiter).toBe(',');
    expect(records[1]?.fields).toEqual({ id: '2', subject: 'Yo', body: 'x;y;z;w;v' });
  });

  it('prefers the consistent delimiter when commas appear unquoted in a semicolon file', async () => {
    const text = 'id;name;note\n1;Ann;Hello, world\n2;Bob;a, b, c\n3;Cy;none\n';
    const { source } = await readAll(await temp.write('t.csv', text));
    expect(source.dialect.delimiter).toBe(';');
  });

  it('uses source.delimiter when given', async () => {
    const { source, records } = await readAll(await temp.write('t.csv', 'a;b,c\n1;2,3\n'), { delimiter: ';' });
    expect(source.dialect.delimiter).toBe(';');
    expect(records[0]?.fields).toEqual({ a: '1', 'b,c': '2,3' });
  });
});

describe('CSV header', () => {
  it('trims names, names empty ones column_N and suffixes duplicates, with warnings', async () => {
    const text = ' Email ,,Name,Email,email,Email,\nx,1,n,y,z,w,q\n';
    const { source, records } = await readAll(await temp.write('t.csv', text));
    expect(source.columns).toEqual(['Email', 'column_2', 'Name', 'Email_2', 'email', 'Email_3', 'column_7']);
    expect(source.columnsComplete).toBe(true);
    expect(records[0]?.fields).toEqual({
      Email: 'x',
      column_2: '1',
      Name: 'n',
      Email_2: 'y',
      email: 'z',
      Email_3: 'w',
      column_7: 'q',
    });
    // No file name: whoever shows warnings prefixes it
    expect(source.warnings).toEqual([
      'header column 2 (line 1) has no name; it is called "column_2"',
      'header column 4 (line 1) repeats "Email"; it is called "Email_2"',
      'header column 6 (line 1) repeats "Email"; it is called "Email_3"',
      'header column 7 (line 1) has no name; it is called "column_7"',
    ]);
  });

  it('never gives a renamed column a name used later in the header', async () => {
    const { source } = await readAll(await temp.write('t.csv', 'a,a,a_2\n1,2,3\n'));
    expect(source.columns).toEqual(['a', 'a_3', 'a_2']);
  });

  it('keeps a column named __proto__ as an ordinary field', async () => {
    const { records } = await readAll(await temp.write('t.csv', '__proto__,b\n1,2\n'));
    expect(Object.keys(records[0]?.fields ?? {})).toEqual(['__proto__', 'b']);
    expect(records[0]?.fields['__proto__']).toBe('1');
  });

  it('rejects a header whose quote is never closed', async () => {
    const error = await rejection(readAll(await temp.write('t.csv', 'a,"b\n1,2\n')));
    expect(error.code).toBe('HEADER_INVALID');
    expect(error.message.replace(/\(.*t\.csv/, '(t.csv')).toMatchInlineSnapshot(
      `"the header cannot be read: a quote opened in it is never closed (t.csv:1) — fix the quotes of the header line"`,
    );
  });
});

describe('CSV rows', () => {
  it('skips blank rows and rows of empty cells (spreadsheet residue)', async () => {
    const text = 'a,b,c\n1,2,3\n,,\n\n , ,\n4,5,6\n,,\n,,\n';
    const { records } = await readAll(await temp.write('t.csv', text));
    expect(records.map((record) => [record.line, record.recordNo])).toEqual([
      [2, 1],
      [6, 2],
    ]);
  });

  it('reports a ragged row and goes on', async () => {
    const { records } = await readAll(await temp.write('t.csv', 'a,b,c\n1,2,3\n4,5\n6,"x,y",7,8\n9\n10,11,12\n'));
    expect(records.map((record) => [record.line, record.problem?.message, record.fields])).toEqual([
      [2, undefined, { a: '1', b: '2', c: '3' }],
      [3, 'has 2 fields but the header has 3', { raw: '4,5' }],
      [4, 'has 4 fields but the header has 3', { raw: '6,"x,y",7,8' }],
      [5, 'has 1 field but the header has 3', { raw: '9' }],
      [6, undefined, { a: '10', b: '11', c: '12' }],
    ]);
    expect(records[1]?.problem?.code).toBe('ROW_MALFORMED');
  });

  it('accepts extra empty cells after the last column', async () => {
    const { records } = await readAll(await temp.write('t.csv', 'a,b\n1,2,\n3,4,,\n'));
    expect(records.map((record) => [record.problem, record.fields])).toEqual([
      [undefined, { a: '1', b: '2' }],
      [undefined, { a: '3', b: '4' }],
    ]);
  });

  it('recovers when an unclosed quote swallows rows up to a later quoted field', async () => {
    const text = [
      'id,subject,body', // 1
      '1,a,b', // 2
      '2,"oops,c', // 3: the quote is never closed...
      '3,x,y', // 4
      '4,"hello, world",z', // 5: ...so csv-parse (relax_quotes) runs on to this quote
      '5,p,q', // 6
    ].join('\n');
    const { records } = await readAll(await temp.write('t.csv', text));
    expect(records.map((record) => [record.line, record.recordNo, record.problem?.code ?? record.fields])).toEqual([
      [2, 1, { id: '1', subject: 'a', body: 'b' }],
      [3, 2, 'ROW_MALFORMED'],
      [4, 3, { id: '3', subject: 'x', body: 'y' }],
      [5, 4, { id: '4', subject: 'hello, world', body: 'z' }],
      [6, 5, { id: '5', subject: 'p', body: 'q' }],
    ]);
    expect(records[1]?.fields).toEqual({ raw: '2,"oops,c' });
    expect(records[1]?.problem?.message).toMatchInlineSnapshot(
      `"is not valid CSV: it has 4 fields but the header has 3 and runs over lines 3–5, most likely because a quote opened on line 3 is never closed — fix its quotes; reading went on at line 4"`,
    );
  });

  it('recovers from a quote that is never closed: one broken record, the rest with correct lines', async () => {
    const lines = ['id,subject,body'];
    for (let i = 1; i <= 999; i++) lines.push(i === 9 ? `${i},"oops,never closed` : `${i},s${i},b${i}`);
    const { records } = await readAll(await temp.write('t.csv', `${lines.join('\n')}\n`));
    expect(records).toHaveLength(999);
    const broken = records.filter((record) => record.problem);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({ line: 10, recordNo: 9, fields: { raw: '9,"oops,never closed' } });
    expect(broken[0]?.problem?.message).toMatchInlineSnapshot(
      `"is not valid CSV: a quote opened in it is never closed — fix its quotes; reading went on at line 11"`,
    );
    expect(records[9]).toMatchObject({ line: 11, recordNo: 10, fields: { id: '10', subject: 's10', body: 'b10' } });
    expect(records.at(-1)).toMatchObject({ line: 1000, recordNo: 999, fields: { id: '999' } });
    expect(records.map((record) => record.line)).toEqual(Array.from({ length: 999 }, (_, i) => i + 2));
  });

  it('recovers after an unclosed quote following multi-line bodies and CRLF, in UTF-16 too', async () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n2,"never\r\n3,z\r\n4,w\r\n';
    const expected = [
      [2, undefined],
      [4, 'ROW_MALFORMED'],
      [5, undefined],
      [6, undefined],
    ];
    const utf8 = await readAll(await temp.write('t.csv', text));
    expect(utf8.records.map((record) => [record.line, record.problem?.code])).toEqual(expected);
    expect(utf8.records[1]?.fields).toEqual({ raw: '2,"never' });
    const utf16 = await readAll(await temp.write('u.csv', Buffer.from(`\uFEFF${text}`, 'utf16le')));
    expect(utf16.records.map((record) => [record.line, record.problem?.code])).toEqual(expected);
    expect(utf16.records[1]?.fields).toEqual({ raw: '2,"never' });
    expect(utf16.records[3]?.fields).toEqual({ a: '4', b: 'w' });
  });

  it('reports an unclosed quote on the last line', async () => {
    const { records } = await readAll(await temp.write('t.csv', 'a,b\n1,2\n3,"open'));
    expect(records.map((record) => [record.line, record.problem?.code])).toEqual([
      [2, undefined],
      [3, 'ROW_MALFORMED'],
    ]);
  });

  it('keeps stray quotes inside unquoted fields literally', async () => {
    const { records } = await readAll(await temp.write('t.csv', 'item,note\n5" screen,"ab"c\nx,y\n'));
    expect(linesAndFields(records)).toEqual([
      [2, { item: '5" screen', note: '"ab"c' }],
      [3, { item: 'x', note: 'y' }],
    ]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileTransforms } from '../../src/mapping/transforms.js';
import { readAll } from '../unit/source/helpers.js';
import { CORPORA } from './corpora-path.js';

const exports = path.join(CORPORA, 'helpdesk-exports');

/** Values at least this long are bodies (subjects, names, e-mails and dates are shorter). */
const BODY_LENGTH = 40;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * The words a browser would show, found independently of src/: comments, doctypes, scripts, styles
 * and tags removed, entities decoded, split on anything that is not a letter or a digit.
 */
function visibleWords(html: string): string[] {
  const text = html
    .replace(/<!--[\s\S]*?-->|<!doctype[^<>]*>/gi, ' ')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<\/?[a-z][^<>]*>/gi, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The first word of `words` that `output` lacks, in order, or undefined when all are there. Letters and
 * digits of the output are compared as one run, so Markdown that joins or splits words is not a loss.
 */
function firstLostWord(words: readonly string[], output: string): string | undefined {
  const run = (output.match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');
  let at = 0;
  for (const word of words) {
    const found = run.indexOf(word, at);
    if (found < 0) return word;
    at = found + word.length;
  }
  return undefined;
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (value.length > BODY_LENGTH) into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) collectStrings(item, into);
  }
}

/** Every long string value of every CSV, JSON and JSONL file under helpdesk-exports/, once each. */
async function readBodies(): Promise<Set<string>> {
  const bodies = new Set<string>();
  const files = readdirSync(exports, { recursive: true, encoding: 'utf8' }).filter((file) => /\.(csv|jsonl?)$/i.test(file));
  for (const file of files.sort()) {
    const full = path.join(exports, file);
    if (/\.json$/i.test(file)) collectStrings(JSON.parse(readFileSync(full, 'utf8')), bodies);
    else for (const record of (await readAll(full)).records) collectStrings(record.fields, bodies);
  }
  return bodies;
}

describe('HTML transforms on every body of the helpdesk exports', () => {
  it('keep every word of the visible text, in order', async () => {
    const bodies = await readBodies();
    expect(bodies.size).toBeGreaterThan(1000);
    const lost: string[] = [];
    for (const transform of ['html-to-markdown', 'html-to-text'] as const) {
      const convert = compileTransforms([transform])!;
      for (const body of bodies) {
        const word = firstLostWord(visibleWords(body), String(convert(body)));
        if (word !== undefined) lost.push(`${transform} lost "${word}" of ${JSON.stringify(body.slice(0, 120))}`);
      }
    }
    const summary = `${lost.length} of ${bodies.size * 2} conversions (${bodies.size} bodies, 2 transforms) lost a word`;
    expect(lost.slice(0, 10), summary).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { parseMapping } from '../../../src/mapping/compile.js';
import { compileLeaf, type LeafPlace, type RowContext } from '../../../src/mapping/leaf.js';
import { Lookups } from '../../../src/mapping/lookups.js';
import type { LeafSpec } from '../../../src/mapping/schema.js';
import { compileTemplate, parseTemplate, templateFields } from '../../../src/mapping/template.js';
import type { FieldReference } from '../../../src/mapping/types.js';
import { leaf } from './helpers.js';

/** The message of the error a mapping with this subject throws. */
function subjectProblem(subject: unknown): string {
  try {
    parseMapping({ conversation: { subject, category: 'c', message: { body: 'b' }, user: { email: 'e@x.io' } } }, 'm.json');
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

/** Compiles a leaf at `messages[2].header` in a row context of its own. */
function compileAt(spec: LeafSpec, timezone?: string): { run: (fields: Record<string, unknown>) => unknown; ctx: RowContext; references: FieldReference[] } {
  const references: FieldReference[] = [];
  const place: LeafPlace = { at: 'messages.header', errorAt: 'header', apiRequired: false, references, shared: { lookups: new Lookups([]), timezone } };
  const evaluate = compileLeaf(spec, place);
  const ctx: RowContext = { problems: [], prefix: 'messages[2].' };
  return { run: (fields) => evaluate(fields, ctx), ctx, references };
}

describe('template filters', () => {
  it('apply named transforms to a field, chained left to right', () => {
    expect(leaf('{{ name | trim | lowercase }}', { name: '  Jane DOE ' }).value).toBe('jane doe');
    expect(leaf('{{name|uppercase|trim}}!', { name: ' ada ' }).value).toBe('ADA!');
    expect(leaf('On {{at | timestamp}}, {{who | collapse-whitespace}} wrote:', { at: '2020-02-19 01:54:52', who: ' Ada \n Lovelace ' }).value).toBe(
      'On 2020-02-19T01:54:52.000Z, Ada Lovelace wrote:',
    );
  });

  it('keep a single field\'s raw value, element by element for a list', () => {
    expect(leaf('{{tags | trim}}', { tags: [' a ', 'b '] }).value).toEqual(['a', 'b']);
    expect(leaf('{{n | trim}}', { n: 7 }).value).toBe(7);
    expect(leaf('{{missing | null-tokens}}', {}).value).toBeUndefined();
    expect(leaf('{{x | null-tokens}}', { x: 'N/A' }).value).toBeUndefined();
  });

  it('read fields without their filters: those are the columns a mapping reads', () => {
    expect(templateFields('{{ a | trim }} and {{b}} and {{ c.d | timestamp | trim }}')).toEqual(['a', 'b', 'c.d']);
    const { references } = compileAt({ from: '{{Created | timestamp}}', transform: ['trim'] });
    expect(references.map((r) => r.field)).toEqual(['Created']);
  });

  it('read a column named with "|" as written, before the filters (the exact key first)', () => {
    expect(leaf('{{a | trim}}', { 'a | trim': ' kept ', a: ' other ' }).value).toBe(' kept ');
    expect(leaf('{{a|trim}}', { 'a|trim': ' kept ' }).value).toBe(' kept ');
    expect(leaf('{{a | trim}}', { a: ' other ' }).value).toBe('other');
    expect(leaf({ from: 'Tags|Labels' }, { 'Tags|Labels': 'x' }).value).toBe('x');
  });

  it('use source.timezone, and work without a note', () => {
    const template = compileTemplate('{{d | timestamp}}', { lookups: new Lookups([]), timezone: 'Europe/Paris' });
    expect(template({ d: '2025-07-15 12:00:00' })).toBe('2025-07-15T10:00:00.000Z');
    expect(template({ d: 'soon' })).toBe('soon');
    expect(compileTemplate('{{d | timestamp}}')({ d: '2025-07-15 12:00:00' })).toBe('2025-07-15T12:00:00.000Z');
  });
});

describe('refused filters', () => {
  it('name the filter and the nearest one when the mapping is parsed', () => {
    expect(parseTemplate('{{name | lowercse}}')).toBe('unknown filter "lowercse" in "{{name | lowercse}}" (did you mean "lowercase"?)');
    expect(subjectProblem('Re: {{ Subject | trm }}')).toMatchInlineSnapshot(`
      "the mapping is invalid: 1 problem (m.json)
        conversation.subject: unknown filter "trm" in "{{Subject | trm}}" (did you mean "trim"?)"
    `);
    expect(subjectProblem({ from: '{{Created | timestmp}}' })).toContain('conversation.subject.from: unknown filter "timestmp" in "{{Created | timestmp}}" (did you mean "timestamp"?)');
  });

  it('point a column named with "|" to a rule, and refuse empty filters and fields', () => {
    expect(parseTemplate('{{Tags|Labels}}')).toBe('unknown filter "Labels" in "{{Tags|Labels}}" (a column whose name holds "|" is read by a rule {"from": "Tags|Labels"})');
    expect(parseTemplate('{{a | }}')).toBe('a "|" without a filter after it in "{{a |}}"');
    expect(parseTemplate('{{a || trim}}')).toBe('a "|" without a filter after it in "{{a || trim}}"');
    expect(parseTemplate('x {{ | trim}}')).toBe('no field name between "{{" and "}}" in "x {{ | trim}}"');
  });

  it('refuse the filters that fail the row, saying what to use instead', () => {
    expect(parseTemplate('{{d | date}}')).toBe(
      'filter "date" fails the row, which a template cannot (in "{{d | date}}"): use "timestamp", or a rule {"from": "d", "transform": ["date"]}',
    );
    expect(parseTemplate('{{n|number}}')).toBe('filter "number" fails the row, which a template cannot (in "{{n|number}}"): use a rule {"from": "n", "transform": ["number"]}');
  });
});

describe('losses noted by filters and transforms', () => {
  it('reach the row context at the leaf\'s place', () => {
    const { run, ctx } = compileAt('{{d | timestamp}} by {{who}}');
    expect(run({ d: '25/01/2025 1:30', who: 'Ada' })).toBe('25/01/2025 1:30 by Ada');
    expect(run({ d: '1900-01-01 00:00:00', who: 'Ada' })).toBe(' by Ada');
    expect(ctx.losses).toEqual([
      { kind: 'date_unparsed', path: 'messages[2].header', detail: '"25/01/2025 1:30"' },
      { kind: 'date_sentinel', path: 'messages[2].header', detail: '"1900-01-01 00:00:00"' },
    ]);
    expect(ctx.problems).toEqual([]);
  });

  it('reach it from a rule\'s from template and from its transforms', () => {
    const { run, ctx } = compileAt({ from: '{{d | timestamp}}', transform: ['trim'] });
    expect(run({ d: '0000-00-00' })).toBeUndefined();
    const rule = compileAt({ from: 'd', transform: ['timestamp'] });
    expect(rule.run({ d: 'later' })).toBe('later');
    expect([...(ctx.losses ?? []), ...(rule.ctx.losses ?? [])]).toEqual([
      { kind: 'date_sentinel', path: 'messages[2].header', detail: '"0000-00-00"' },
      { kind: 'date_unparsed', path: 'messages[2].header', detail: '"later"' },
    ]);
  });

  it('leave a row without losses when every date reads, and keep date failing the row', () => {
    const { run, ctx } = compileAt('{{d | timestamp}}', 'Europe/Paris');
    expect(run({ d: '2025-01-15 12:00:00' })).toBe('2025-01-15T11:00:00.000Z');
    expect(ctx.losses).toBeUndefined();
    const strict = compileAt({ from: 'd', transform: ['date'] });
    expect(strict.run({ d: 'later' })).toBeUndefined();
    expect(strict.ctx.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'messages[2].header: invalid date "later" (expected ISO-8601, "YYYY-MM-DD HH:mm:ss" or epoch seconds/ms)',
    ]);
  });
});

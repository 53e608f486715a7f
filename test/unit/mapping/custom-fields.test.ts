import { describe, expect, it } from 'vitest';
import { compileCustomFields, CustomFieldsSchema, mergeIntoData, type CustomFieldsSpec } from '../../../src/mapping/custom-fields.js';
import type { RowContext } from '../../../src/mapping/leaf.js';
import { Lookups } from '../../../src/mapping/lookups.js';
import type { Loss } from '../../../src/mapping/losses.js';
import type { FieldReference } from '../../../src/mapping/types.js';

const AT = 'conversation.custom_fields';

/** Zendesk's field definitions (ticket_fields.json), given as the lookup `fields`. */
const ZENDESK_FIELDS: Record<string, Record<string, unknown>> = {
  '360011737434': { id: 360011737434, title: 'Order number', type: 'text' },
  '360011737435': { id: 360011737435, title: 'Product', type: 'multiselect' },
  '42': { id: 42, title: 'Priority', type: 'tagger' },
  '43': { id: 43, title: 'Priority', type: 'tagger' },
};

function withFields(): Lookups {
  const lookups = new Lookups(['fields']);
  lookups.attach('fields', { recordOf: (key) => ZENDESK_FIELDS[key] });
  return lookups;
}

/** Compiles a spec and maps one record: its data fields, its losses, and the references recorded. */
function run(spec: CustomFieldsSpec, fields: Record<string, unknown>, lookups?: Lookups) {
  const references: FieldReference[] = [];
  const map = compileCustomFields(CustomFieldsSchema.parse(spec), { at: AT, references, shared: lookups && { lookups } });
  const ctx: RowContext = { problems: [], prefix: '' };
  const data = map(fields, ctx);
  return { data, losses: ctx.losses ?? [], problems: ctx.problems, references };
}

const dropped = (detail: string, path = AT): Loss => ({ kind: 'custom_field_dropped', path, detail });

describe('compileCustomFields: Zendesk', () => {
  const record = {
    custom_fields: [
      { id: 360011737434, value: 'A-1001' },
      { id: 360011737435, value: ['widget', 'gadget'] },
      { id: 360099999999, value: 'unlisted' },
      { id: 360011737436, value: null },
      { id: 360011737437, value: '' },
      { id: 360011737438, value: [] },
      { id: 360011737439, value: true },
      { id: 360011737440, value: 12.5 },
    ],
  };

  it('names fields by their titles, else by their ids; skips empty values without a loss', () => {
    const { data, losses, problems, references } = run({ from: 'custom_fields', title: 'fields.title' }, record, withFields());
    expect(data).toEqual({
      'Order number': 'A-1001',
      Product: 'widget, gadget',
      '360099999999': 'unlisted',
      '360011737439': true,
      '360011737440': 12.5,
    });
    expect(losses).toEqual([]);
    expect(problems).toEqual([]);
    expect(references).toEqual([{ field: 'custom_fields', at: `${AT}.from`, required: false }]);
  });

  it('names fields by their ids without the lookup', () => {
    const { data } = run({ from: 'custom_fields' }, { custom_fields: record.custom_fields.slice(0, 2) });
    expect(data).toEqual({ '360011737434': 'A-1001', '360011737435': 'widget, gadget' });
  });

  it('puts the prefix before every name', () => {
    const { data } = run({ from: 'custom_fields', title: 'fields.title', prefix: 'zd_' }, { custom_fields: record.custom_fields.slice(0, 3) }, withFields());
    expect(data).toEqual({ 'zd_Order number': 'A-1001', zd_Product: 'widget, gadget', zd_360099999999: 'unlisted' });
  });

  it('keeps the first of two fields with one name and notes the second', () => {
    const { data, losses } = run(
      { from: 'custom_fields', title: 'fields.title' },
      { custom_fields: [{ id: 42, value: 'high' }, { id: 43, value: 'low' }, { id: 44, value: 'x' }, { id: 44, value: 'y' }] },
      withFields(),
    );
    expect(data).toEqual({ Priority: 'high', '44': 'x' });
    expect(losses).toEqual([dropped('"Priority" (id 43): the name is taken'), dropped('"44": the name is taken')]);
  });

  it('reads the list from a CSV cell holding JSON', () => {
    const { data, losses } = run({ from: 'Custom fields' }, { 'Custom fields': ' [{"id": 7, "value": "yes"}, {"id": 8, "value": null}]' });
    expect(data).toEqual({ '7': 'yes' });
    expect(losses).toEqual([]);
  });
});

describe('compileCustomFields: Freshdesk and Help Scout', () => {
  it('reads an object whose keys are the names', () => {
    const { data, losses } = run(
      { from: 'custom_fields', prefix: 'fd_' },
      { custom_fields: { cf_reference: 'A1', cf_flag: null, cf_count: 3, cf_tags: ['a', null, 'b'], cf_address: { city: 'Lyon' } } },
    );
    expect(data).toEqual({ fd_cf_reference: 'A1', fd_cf_count: 3, fd_cf_tags: 'a, b', fd_cf_address: '{"city":"Lyon"}' });
    expect(losses).toEqual([]);
  });

  it('reads Help Scout items: fieldId and name', () => {
    const { data } = run(
      { from: 'customFields' },
      {
        customFields: [
          { fieldId: 10, name: 'Project Name', value: 'Project 1', type: 'SINGLE_LINE' },
          { fieldId: 11, name: ' Due ', value: '2024-05-01', type: 'DATE' },
          { fieldId: 12, value: 'no name', type: 'SINGLE_LINE' },
        ],
      },
    );
    expect(data).toEqual({ 'Project Name': 'Project 1', Due: '2024-05-01', '12': 'no name' });
  });

  it('reads the paths the mapping names', () => {
    const { data } = run(
      { from: 'ticket.fields', id: 'key', name: 'label.en', value: 'answer.text' },
      { ticket: { fields: [{ key: 'k1', label: { en: 'Colour' }, answer: { text: 'red' } }, { key: 'k2', answer: { text: 'big' } }] } },
    );
    expect(data).toEqual({ Colour: 'red', k2: 'big' });
  });

  it('prefers the title found through the lookup over the item\'s name', () => {
    const { data } = run({ from: 'f', title: 'fields.title' }, { f: [{ id: 42, name: 'prio', value: 'high' }, { id: 9, name: 'other', value: 'v' }] }, withFields());
    expect(data).toEqual({ Priority: 'high', other: 'v' });
  });
});

describe('compileCustomFields: what cannot be read', () => {
  it('gives nothing for a missing or empty field, without a loss', () => {
    for (const custom_fields of [undefined, null, '', [], {}]) {
      const { data, losses } = run({ from: 'custom_fields' }, { custom_fields });
      expect(data).toBeUndefined();
      expect(losses).toEqual([]);
    }
  });

  it('notes a value that is not a list or an object, never throwing', () => {
    expect(run({ from: 'c' }, { c: 'not json' })).toMatchObject({
      data: undefined,
      losses: [dropped('expected a list or an object of custom fields, got "not json"')],
      problems: [],
    });
    expect(run({ from: 'c' }, { c: '[{"id": 1,' }).losses).toEqual([dropped('expected a list or an object of custom fields, got "[{\\"id\\": 1,"')]);
    expect(run({ from: 'c' }, { c: 42 }).losses).toEqual([dropped('expected a list or an object of custom fields, got 42')]);
  });

  it('notes items that have a value but no name or id', () => {
    const { data, losses } = run({ from: 'c' }, { c: ['loose', { value: 'orphan' }, { id: 1, value: 'kept' }, null] });
    expect(data).toEqual({ '1': 'kept' });
    expect(losses).toEqual([dropped('"loose": the field has no name or id'), dropped('"orphan": the field has no name or id')]);
  });

  it('places losses under the row context\'s prefix', () => {
    const map = compileCustomFields({ from: 'c' }, { at: AT, references: [] });
    const ctx: RowContext = { problems: [], prefix: 'row.' };
    map({ c: 'text' }, ctx);
    expect(ctx.losses?.map((loss) => loss.path)).toEqual([`row.${AT}`]);
  });

  it('keeps a field named __proto__ as an own property', () => {
    const { data } = run({ from: 'c' }, { c: [{ id: '__proto__', value: 'x' }] });
    expect(Object.keys(data!)).toEqual(['__proto__']);
    expect(JSON.stringify(data)).toBe('{"__proto__":"x"}');
  });
});

describe('CustomFieldsSchema', () => {
  it('refuses unknown properties and a title that is not "<lookup>.<field>"', () => {
    expect(CustomFieldsSchema.safeParse({ from: 'c', ttle: 'fields.title' }).success).toBe(false);
    expect(CustomFieldsSchema.safeParse({ from: 'c', title: 'fields' }).success).toBe(false);
    expect(CustomFieldsSchema.safeParse({ from: '' }).success).toBe(false);
    expect(CustomFieldsSchema.parse({ from: 'c', id: 'id', name: 'n', value: 'v', title: 'fields.title', prefix: 'x_' })).toEqual({
      from: 'c', id: 'id', name: 'n', value: 'v', title: 'fields.title', prefix: 'x_',
    });
  });
});

describe('mergeIntoData', () => {
  it('adds custom fields after the mapping\'s own, never overwriting them or the row key', () => {
    const data: Record<string, unknown> = { legacy_id: '123', Priority: 'from the mapping' };
    const losses: string[] = [];
    mergeIntoData(data, { Priority: 'high', import_key: 'k', Product: 'widget', done: false }, ['import_key'], (kind, detail) => losses.push(`${kind}: ${detail}`));
    expect(data).toEqual({ legacy_id: '123', Priority: 'from the mapping', Product: 'widget', done: false });
    expect(Object.keys(data)).toEqual(['legacy_id', 'Priority', 'Product', 'done']);
    expect(losses).toEqual([
      'custom_field_dropped: "Priority": the name is taken by a data field',
      'custom_field_dropped: "import_key": the name is taken by the row key',
    ]);
  });
});

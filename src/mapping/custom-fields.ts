import { z } from 'zod';
import { compileGetter, isEmpty, quote, toText, type Fields, type Getter } from './fields.js';
import { noteAt, type RowContext, type Shared } from './leaf.js';
import type { Note } from './losses.js';
import { compileTemplate, isTemplate, templateFields } from './template.js';
import type { FieldReference } from './types.js';

const Path = z.string().min(1, { error: 'must name a path' });

/** `conversation.custom_fields`: a ticket's custom fields, spread into `conversation.data`. */
export const CustomFieldsSchema = z
  .strictObject({
    from: z.string().min(1, { error: 'must name a column or path' }).meta({
      description: 'The column or path holding the custom fields: a list of {id, value} items, an object of name → value, or a JSON list in text.',
    }),
    id: Path.optional().meta({ description: 'The path of a field\'s id in an item. Default: "id", else "fieldId".' }),
    name: Path.optional().meta({ description: 'The path of a field\'s name in an item. Default: "name" when present, else the id.' }),
    value: Path.optional().meta({ description: 'The path of a field\'s value in an item. Default: "value".' }),
    title: z
      .string()
      .regex(/^[A-Za-z0-9_-]+\.[^.]/, { error: 'must be "<lookup>.<field>", e.g. "fields.title"' })
      .optional()
      .meta({ description: 'The field definitions as a lookup: "<lookup>.<field>", looked up by the id, gives the name.' }),
    prefix: z.string().optional().meta({ description: 'Put before every name, e.g. "cf_". Default: "".' }),
  })
  .meta({ id: 'CustomFields', description: 'Custom fields of a ticket, spread one level deep into conversation.data.' });

/** The `conversation.custom_fields` section as written in a mapping. */
export type CustomFieldsSpec = z.infer<typeof CustomFieldsSchema>;

/** What `conversation.data` takes: one level of strings, numbers and booleans. */
export type FlatData = Record<string, string | number | boolean>;

/** Where the section is compiled: its path in the mapping, the reference list, the mapping's lookups. */
export interface CustomFieldsPlace {
  at: string;
  references: FieldReference[];
  shared?: Shared | undefined;
}

/** One field as read from the export, before it is named. */
interface RawField {
  id: unknown;
  name: unknown;
  value: unknown;
}

type Reader = (item: Fields) => RawField;

/** Reads id, name and value out of one item of a list; `id` falls back to Help Scout's `fieldId`. */
function compileReader(spec: CustomFieldsSpec): Reader {
  const id: Getter = spec.id === undefined ? (item) => item.id ?? item.fieldId : compileGetter(spec.id);
  const name = compileGetter(spec.name ?? 'name');
  const value = compileGetter(spec.value ?? 'value');
  return (item) => ({ id: id(item), name: name(item), value: value(item) });
}

function isObject(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Text holding JSON (a CSV cell): its list or object, else undefined. */
function parseJson(value: string): unknown {
  const start = value.trimStart()[0];
  if (start !== '[' && start !== '{') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/**
 * The fields a record holds: a list of items (Zendesk, Help Scout), an object whose keys are the
 * names (Freshdesk), either as JSON text; undefined when it is none of these.
 */
function readFields(value: unknown, reader: Reader): RawField[] | undefined {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (Array.isArray(parsed)) return parsed.map((item) => (isObject(item) ? reader(item) : { id: undefined, name: undefined, value: item }));
  if (isObject(parsed)) return Object.entries(parsed).map(([key, item]) => ({ id: key, name: key, value: item }));
  return undefined;
}

/** A value one level deep: a multi-select list joined by ", ", an object as its JSON text. */
function flatValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) value = value.filter((item) => !isEmpty(item));
  if (isEmpty(value)) return undefined;
  return toText(value);
}

/** Sets an own property, even `__proto__`, which plain assignment would not create. */
function setOwn(into: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
}

/** How a dropped field is named in a loss: its name, and its id when that differs. */
function named(name: string, id: unknown): string {
  const idText = toText(id).trim();
  return idText === '' || idText === name ? quote(name) : `${quote(name)} (id ${idText})`;
}

/**
 * Compiles `conversation.custom_fields` to a function of a record giving its fields, named and
 * flattened for `data` (undefined when it has none). Exports list every field, set or not, so an
 * empty value is left out without a loss; a field whose name is taken, or that has no name, is noted.
 */
export function compileCustomFields(spec: CustomFieldsSpec, place: CustomFieldsPlace): (fields: Fields, ctx: RowContext) => FlatData | undefined {
  const at = `${place.at}.from`;
  for (const field of isTemplate(spec.from) ? templateFields(spec.from) : [spec.from]) place.references.push({ field, at, required: false });
  const read: Getter = isTemplate(spec.from) ? compileTemplate(spec.from) : compileGetter(spec.from);
  const reader = compileReader(spec);
  const title = spec.title === undefined ? undefined : place.shared?.lookups.compile(spec.title);
  const prefix = spec.prefix ?? '';
  const nameOf = (field: RawField): string => {
    const found = title?.(field.id);
    const name = [found, field.name, field.id].find((candidate) => !isEmpty(candidate));
    return name === undefined ? '' : `${prefix}${toText(name)}`.trim();
  };
  return (fields, ctx) => {
    const raw = read(fields);
    if (isEmpty(raw)) return undefined;
    const note = noteAt(ctx, place.at);
    const list = readFields(raw, reader);
    if (list === undefined) {
      note('custom_field_dropped', `expected a list or an object of custom fields, got ${quote(raw)}`);
      return undefined;
    }
    return collect(list, nameOf, note);
  };
}

/** Names and flattens each field; the first of two with one name is kept. */
function collect(list: readonly RawField[], nameOf: (field: RawField) => string, note: Note): FlatData | undefined {
  let out: FlatData | undefined;
  for (const field of list) {
    const value = flatValue(field.value);
    if (value === undefined) continue;
    const name = nameOf(field);
    if (name === '') note('custom_field_dropped', `${quote(value)}: the field has no name or id`);
    else if (out !== undefined && Object.hasOwn(out, name)) note('custom_field_dropped', `${named(name, field.id)}: the name is taken`);
    else setOwn((out ??= {}), name, value);
  }
  return out;
}

/**
 * Adds custom fields into a body's `data`. The mapping's own data fields and the `reserved` names
 * (the row key field, which finds the conversation again) win: a custom field of that name is noted.
 */
export function mergeIntoData(data: Record<string, unknown>, extra: Readonly<FlatData>, reserved: readonly string[], note: Note): void {
  for (const [name, value] of Object.entries(extra)) {
    if (reserved.includes(name)) note('custom_field_dropped', `${quote(name)}: the name is taken by the row key`);
    else if (Object.hasOwn(data, name)) note('custom_field_dropped', `${quote(name)}: the name is taken by a data field`);
    else setOwn(data, name, value);
  }
}

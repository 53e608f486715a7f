/** A record's fields: CSV `{header: text}`, JSON the parsed object. */
export type Fields = Record<string, unknown>;

/** Reads one column or path from a record. */
export type Getter = (fields: Fields) => unknown;

/**
 * Compiles a field name to a getter, once per mapping.
 * Lookup: the exact key first, because CSV headers may contain dots ("via.channel"); else the
 * dotted path through nested objects ("requester.email"), where a number indexes an array
 * ("comments.0.body"). Only own properties are read, so "constructor" is never Object's.
 */
export function compileGetter(field: string): Getter {
  const steps = field.split('.');
  const own = ownGetter(field);
  if (steps.length === 1) return own;
  const inner = steps.map(ownGetter);
  return (fields) => {
    const exact = own(fields);
    if (exact !== undefined) return exact;
    let current: unknown = fields;
    for (let i = 0; i < inner.length && current !== undefined; i++) {
      current = current !== null && typeof current === 'object' ? inner[i]!(current as Fields) : undefined;
    }
    return current;
  };
}

/**
 * Reads an own property. Records hold data, never functions, so only a function (an inherited
 * method) or `__proto__` needs the slower own-property check.
 */
function ownGetter(key: string): Getter {
  if (key === '__proto__') return (fields) => (Object.hasOwn(fields, key) ? fields[key] : undefined);
  return (fields) => {
    const value = fields[key];
    return typeof value === 'function' && !Object.hasOwn(fields, key) ? undefined : value;
  };
}

/** True for the values a mapping treats as missing: undefined, null, "" and []. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** The text of a value inside a template: missing → "", lists joined by ", ", objects as JSON. */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(toText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A value quoted for a message, shortened to about 60 characters. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return typeof value === 'string' ? JSON.stringify(short) : short;
}

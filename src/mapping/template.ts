import { compileGetter, toText, type Fields } from './fields.js';

/** A template split into literal text and the fields between `{{ }}`. */
type Part = { text: string } | { field: string };

/** True when a string is a template rather than a literal or a plain field name. */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

/** Splits a template into parts; a string describing the problem when it is malformed. */
export function parseTemplate(template: string): Part[] | string {
  const parts: Part[] = [];
  let rest = template;
  while (rest !== '') {
    const open = rest.indexOf('{{');
    if (open === -1) break;
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close === -1) return `"{{" without a closing "}}" in ${JSON.stringify(template)}`;
    const field = rest.slice(open + 2, close).trim();
    if (field === '' || field.includes('{{')) return `no field name between "{{" and "}}" in ${JSON.stringify(template)}`;
    parts.push({ field });
    rest = rest.slice(close + 2);
  }
  if (rest !== '') parts.push({ text: rest });
  return parts;
}

/** The fields a template reads (none when malformed). */
export function templateFields(template: string): string[] {
  const parts = parseTemplate(template);
  return typeof parts === 'string' ? [] : parts.flatMap((p) => ('field' in p ? [p.field] : []));
}

/**
 * Compiles a (valid) template once. Exactly one `{{x}}` yields the raw value, so a list stays a
 * list and a number a number; with text around it the result is a string, missing fields "".
 */
export function compileTemplate(template: string): (fields: Fields) => unknown {
  const parsed = parseTemplate(template);
  if (typeof parsed === 'string') throw new Error(`compileTemplate: ${parsed}`);
  const [only] = parsed;
  if (parsed.length === 1 && only !== undefined && 'field' in only) return compileGetter(only.field);
  const pieces = parsed.map((p) => ('field' in p ? compileGetter(p.field) : p.text));
  return (fields) => {
    let out = '';
    for (const piece of pieces) out += typeof piece === 'string' ? piece : toText(piece(fields));
    return out;
  };
}

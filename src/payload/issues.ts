import type { z } from 'zod';

/** The outcome of checking a request body: the typed value, or every problem as `path: message`. */
export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** A value quoted for a message, shortened to about 60 characters; never a whole payload. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const short = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return typeof value === 'string' ? JSON.stringify(short) : short;
}

/** `conversation.tag_list[1]`, `conversation.data["legacy id"]`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(step))) out += out === '' ? String(step) : `.${String(step)}`;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out === '' ? '(body)' : out;
}

/** One issue (parsed with `reportInput: true`) as one or more `path: message, got value` lines. */
function describe(issue: z.core.$ZodIssue): string[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown property`);
  }
  if (issue.input === undefined) return [`${path}: required`];
  return [`${path}: ${issue.message}, got ${quote(issue.input)}`];
}

/** Runs a schema and turns its issues into readable lines. */
export function validateWith<T>(schema: z.ZodType<T>, body: unknown): Validation<T> {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  // Parsing again only for a bad body: asking zod for inputs in issues halves its speed.
  const detailed = schema.safeParse(body, { reportInput: true });
  return { ok: false, errors: [...new Set((detailed.error ?? result.error).issues.flatMap(describe))] };
}

import type { z } from 'zod';
import { formatProblem, type RowProblem } from '../errors.js';

/** The outcome of checking a request body: the typed value, or every problem at its path in the body. */
export type Validation<T> = { ok: true; value: T } | { ok: false; problems: RowProblem[] };

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

function problem(path: readonly PropertyKey[], message: string): RowProblem {
  return { code: 'ROW_INVALID', path: formatPath(path), message };
}

/** One issue (parsed with `reportInput: true`) as one or more problems reading `message, got value`. */
function describe(issue: z.core.$ZodIssue): RowProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => problem([...issue.path, key], 'unknown property'));
  }
  if (issue.input === undefined) return [problem(issue.path, 'required')];
  return [problem(issue.path, `${issue.message}, got ${quote(issue.input)}`)];
}

/** Problems without repeats (zod may report one thing twice through unions). */
function distinct(problems: readonly RowProblem[]): RowProblem[] {
  const byText = new Map<string, RowProblem>();
  for (const problem of problems) if (!byText.has(formatProblem(problem))) byText.set(formatProblem(problem), problem);
  return [...byText.values()];
}

/** Runs a schema and turns its issues into row problems. */
export function validateWith<T>(schema: z.ZodType<T>, body: unknown): Validation<T> {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  // Parsing again only for a bad body: asking zod for inputs in issues halves its speed.
  const detailed = schema.safeParse(body, { reportInput: true });
  return { ok: false, problems: distinct((detailed.error ?? result.error).issues.flatMap(describe)) };
}

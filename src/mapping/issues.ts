import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** A JSON path as users read it: `conversation.data["legacy id"].transform[0]`; `(top level)` for the root. */
export function formatPath(path: Path): string {
  let out = '';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(step))) out += out === '' ? String(step) : `.${String(step)}`;
    else out += `[${JSON.stringify(String(step))}]`;
  }
  return out === '' ? '(top level)' : out;
}

const ARTICLE: Record<string, string> = {
  object: 'an object',
  record: 'an object',
  array: 'a list',
  int: 'an integer',
  integer: 'an integer',
};

function describeType(expected: string): string {
  return ARTICLE[expected] ?? `a ${expected}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when a union branch refused the input for its type, not for something inside it. */
function refusedType(branch: readonly Issue[], input: unknown): boolean {
  return branch.some(
    (i) => i.path.length === 0 && (i.code === 'invalid_type' || (i.code === 'invalid_value' && typeof input !== 'string')),
  );
}

/** True when an object branch recognised none of the input's properties (it is the wrong variant). */
function recognisedNothing(branch: readonly Issue[], input: unknown): boolean {
  const keys = isPlainObject(input) ? Object.keys(input).length : 0;
  return branch.some((i) => i.path.length === 0 && i.code === 'unrecognized_keys' && i.keys.length === keys);
}

/** The one union branch the input was evidently meant for, if there is one. */
function intendedBranch(issue: z.core.$ZodIssueInvalidUnion): readonly Issue[] | undefined {
  const input = issue.input;
  const viable = issue.errors.filter((branch) => !refusedType(branch, input));
  if (viable.length === 1) return viable[0];
  const recognising = viable.filter((branch) => !recognisedNothing(branch, input));
  return recognising.length === 1 ? recognising[0] : undefined;
}

/** One issue as `message` text. */
function describe(issue: Issue): string {
  if (issue.code === 'invalid_type') {
    return issue.input === undefined ? 'required' : `expected ${describeType(issue.expected)}`;
  }
  return issue.message;
}

/** zod issues (parsed with `reportInput: true`) as `path: message` lines, unions resolved to the intended branch. */
export function formatIssues(issues: readonly Issue[], prefix: Path = []): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const branch = issue.code === 'invalid_union' ? intendedBranch(issue) : undefined;
    if (branch !== undefined) lines.push(...formatIssues(branch, path));
    // A record key that fails its rule: the rule's own words, at the key.
    else if (issue.code === 'invalid_key') lines.push(...formatIssues(issue.issues, path));
    else lines.push(`${formatPath(path)}: ${describe(issue)}`);
  }
  return [...new Set(lines)];
}

import { describe, expect, it } from 'vitest';
import { parseMappingText } from '../../../src/mapping/compile.js';

/** The mapping text with `conversation` extended by the given JSON text (JSON, not a JS literal: only JSON keeps a "__proto__" key). */
const mappingText = (extra: string) =>
  `{"conversation": {"category": "support", "message": {"body": "{{body}}"}, "user": {"email": "{{email}}"}, ${extra}}}`;

/** The message of the error the mapping text throws. */
function problemsOf(text: string): string {
  try {
    parseMappingText(text, 'm.json');
  } catch (error) {
    return `${(error as { code: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe('"__proto__" as a key of a mapping', () => {
  it('is refused in conversation.data, naming its path, rather than silently dropped', () => {
    expect(problemsOf(mappingText('"data": {"__proto__": "{{meta}}", "legacy": "{{id}}"}'))).toMatchInlineSnapshot(`
      "MAPPING_INVALID: the mapping is invalid: 1 problem (m.json)
        conversation.data.__proto__: "__proto__" cannot be a name in a mapping (JavaScript reserves it for objects' prototypes, so it would be dropped): rename it, or leave it out"
    `);
  });

  it("is refused in a rule's map, rather than ignored", () => {
    expect(problemsOf(mappingText('"status": {"from": "st", "map": {"open": 0, "__proto__": 2}}'))).toMatchInlineSnapshot(`
      "MAPPING_INVALID: the mapping is invalid: 1 problem (m.json)
        conversation.status.map.__proto__: "__proto__" cannot be a name in a mapping (JavaScript reserves it for objects' prototypes, so it would be dropped): rename it, or leave it out"
    `);
  });

  it('is refused in a messages section too; ordinary names like "constructor" are kept', () => {
    const text = `{"conversation": {"category": "support", "user": {"email": "{{email}}"}, "data": {"constructor": "{{id}}"}},
      "messages": {"from": "comments", "body": "{{body}}", "visibility": {"from": "public", "map": {"__proto__": 1}}}}`;
    expect(problemsOf(text)).toContain('messages.visibility.map.__proto__: "__proto__" cannot be a name in a mapping');
    expect(problemsOf(mappingText('"data": {"constructor": "{{id}}", "toString": "x"}'))).toBe('no error');
  });
});

import { hash } from 'node:crypto';

/** A stable short hash of a body or record: JSON of the same mapping output is the same text. */
export function hashOf(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return hash('sha1', text, 'hex').slice(0, 20);
}

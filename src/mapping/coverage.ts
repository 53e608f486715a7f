import { isEmpty, type Fields } from './fields.js';

/**
 * How many nested paths (`requester.email`) are told apart; every top-level key always is. Past it,
 * a value at a new nested path counts for the path above it, so wide objects keyed by ids stay cheap.
 */
export const NESTED_PATHS = 2000;

/** One path of the records: how many records hold a value there, and the paths under it. */
interface PathNode {
  /** Records holding a non-empty value at this path (an object's values count at their own paths). */
  rows: number;
  /** True once a record held something other than an object with keys here (a value, an empty one, a list). */
  leaf: boolean;
  /** The number of the last record counted here, so a record counts once per path. */
  seen: number;
  children: Map<string, PathNode> | undefined;
}

const newNode = (): PathNode => ({ rows: 0, leaf: false, seen: 0, children: undefined });

function isObjectWithKeys(value: unknown): value is Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const _key in value) return true;
  return false;
}

/** True for what counts as a value: not empty (undefined, null, "", []), not an object without keys. */
function holdsValue(value: unknown): boolean {
  if (isEmpty(value)) return false;
  return typeof value !== 'object' || Array.isArray(value) || isObjectWithKeys(value);
}

/**
 * Counts, over every record it is given, how many hold a value at each path: a CSV record's
 * columns, a JSON record's paths through nested objects (a list is one path, like `comments`).
 */
export class FieldCounter {
  private readonly root = newNode();
  private nested = 0;
  private record = 0;

  /** Counts the fields of one record. */
  add(fields: Fields): void {
    this.record += 1;
    this.visit(this.root, fields, true);
  }

  private visit(node: PathNode, fields: Fields, top: boolean): void {
    const children = (node.children ??= new Map());
    for (const key in fields) {
      const value = fields[key];
      let child = children.get(key);
      if (child === undefined) {
        // Past the bound, the value counts for this path: the record holds something under it.
        if (!top && this.nested >= NESTED_PATHS) {
          this.mark(node, value);
          continue;
        }
        if (!top) this.nested += 1;
        child = newNode();
        children.set(key, child);
      }
      if (isObjectWithKeys(value)) this.visit(child, value, false);
      else this.mark(child, value);
    }
  }

  private mark(node: PathNode, value: unknown): void {
    node.leaf = true;
    if (node.seen === this.record || !holdsValue(value)) return;
    node.seen = this.record;
    node.rows += 1;
  }

  /** Every path seen, in first-seen order, with the number of records holding a value there. */
  counts(): { field: string; rows: number }[] {
    const out: { field: string; rows: number }[] = [];
    const walk = (node: PathNode, prefix: string): void => {
      for (const [key, child] of node.children ?? []) {
        const path = prefix === '' ? key : `${prefix}.${key}`;
        if (child.leaf || child.children === undefined) out.push({ field: path, rows: child.rows });
        walk(child, path);
      }
    };
    walk(this.root, '');
    return out;
  }
}

/** True when `a` and `b` are the same path or one holds the other (`requester` and `requester.email`). */
function related(a: string, b: string): boolean {
  return a === b || (a.length > b.length ? a.startsWith(`${b}.`) : b.startsWith(`${a}.`));
}

/** A source field, how many records hold a value there, and whether the mapping reads it, ignores it, or neither. */
export interface SourceField {
  field: string;
  rows: number;
  use: 'read' | 'ignored' | 'unread';
}

/** The source fields against the mapping: which it reads, which `source.ignore` leaves out, which it loses. */
export interface FieldCoverage {
  /** Every field seen, in the order first seen. */
  source: SourceField[];
  /** Fields holding a value in some record that the mapping neither reads nor ignores: each one a loss. */
  unused: { field: string; rows: number }[];
  /** Fields left out on purpose (`source.ignore`). */
  ignored: { field: string; rows: number }[];
  /** How many fields are empty in every record (no loss, whatever the mapping does). */
  emptyEverywhere: number;
  /** Entries of `source.ignore` that name no field of the records (a typo, or a column since removed). */
  ignoreUnmatched: string[];
}

/** Classifies counted fields: read (a reference to it, inside it or above it), ignored, or unread. */
export function coverFields(counts: readonly { field: string; rows: number }[], reads: readonly string[], ignore: readonly string[]): FieldCoverage {
  const source = counts.map(({ field, rows }): SourceField => {
    const use = reads.some((read) => related(field, read)) ? 'read' : ignore.some((entry) => related(field, entry)) ? 'ignored' : 'unread';
    return { field, rows, use };
  });
  const pick = (use: SourceField['use']) => source.filter((f) => f.use === use && f.rows > 0).map(({ field, rows }) => ({ field, rows }));
  return {
    source,
    unused: pick('unread').sort((a, b) => b.rows - a.rows),
    ignored: source.filter((f) => f.use === 'ignored').map(({ field, rows }) => ({ field, rows })),
    emptyEverywhere: source.filter((f) => f.rows === 0).length,
    ignoreUnmatched: ignore.filter((entry) => !counts.some(({ field }) => related(field, entry))),
  };
}

import { fileError } from './file.js';
import type { Frame, ScanHandler } from './json-scan.js';

/** A value on the path to the records, as the first pass saw it: its first character and first keys. */
interface Shape {
  code: number;
  keys: string[];
}

/** A property of the target object: its first character and, for an array, how many elements are objects. */
interface Child {
  code: number;
  elements: number;
  objects: number;
}

/** Where the records of a document are: the path of their array, or of the single record. */
export interface RecordsAt {
  path: string[];
  single: boolean;
}

/** Keys that make an object a record itself (a ticket with an `attachments` list), not an envelope. */
const RECORD_KEYS = ['id', '_id', 'uuid'];

/** How many keys a message lists. */
const KEYS_SHOWN = 10;

/** "an object", "a string"… from a value's first character. */
export function describeCode(code: number): string {
  if (code === 0x7b) return 'an object';
  if (code === 0x5b) return 'an array';
  if (code === 0x22) return 'a string';
  if (code === 0x74 || code === 0x66) return 'a boolean';
  if (code === 0x6e) return 'null';
  return 'a number';
}

/**
 * The first pass over a document: it keeps the shape of each value on the path (the first time it
 * is seen) and of the target's properties, and notices a second top-level value (JSON Lines).
 */
export class DocumentSurvey implements ScanHandler {
  readonly shapes: Shape[] = [];
  readonly children = new Map<string, Child>();
  lines = false;
  private readonly frames: (Frame | undefined)[] = [];
  private targetClosed = false;

  constructor(private readonly path: readonly string[]) {}

  value(depth: number, parent: Frame | undefined, code: number, _at: number, opened: Frame | undefined): void {
    const target = this.frames[this.path.length];
    if (depth >= 0 && depth <= this.path.length && this.shapes[depth] === undefined && (depth === 0 || parent === this.frames[depth - 1])) {
      this.shapes[depth] = { code, keys: [] };
      this.frames[depth] = opened;
    } else if (parent !== undefined && parent === target && !parent.array && parent.key !== undefined) {
      if (!this.children.has(parent.key)) this.children.set(parent.key, { code, elements: 0, objects: 0 });
    } else if (parent?.array === true && parent.depth === this.path.length + 1 && !this.targetClosed) {
      const child = this.children.get(parent.name ?? '');
      if (child === undefined) return;
      child.elements++;
      if (code === 0x7b) child.objects++;
    }
  }

  key(frame: Frame, key: string): void {
    const shape = this.shapes[frame.depth];
    if (frame === this.frames[frame.depth] && shape !== undefined && shape.keys.length < KEYS_SHOWN) shape.keys.push(key);
  }

  comma(): void {}

  close(frame: Frame): void {
    if (frame === this.frames[this.path.length]) this.targetClosed = true;
  }

  chunkEnd(): void {}

  another(): void {
    this.lines = true;
  }
}

function invalid(file: string, why: string, todo: string): Error {
  return fileError('HEADER_INVALID', 'the JSON document cannot be used', why, file, todo, file);
}

function followPath(survey: DocumentSurvey, spec: string, path: string[], file: string): RecordsAt {
  for (const [index, key] of path.entries()) {
    if (survey.shapes[index + 1] !== undefined) continue;
    const shape = survey.shapes[index];
    const at = index === 0 ? 'the top level' : `"${path.slice(0, index).join('.')}"`;
    const keys = shape?.code === 0x7b ? ` (it has: ${shape.keys.join(', ')})` : '';
    throw invalid(file, `source.records "${spec}" has no "${key}" at ${at}${keys}`, 'correct source.records');
  }
  const code = survey.shapes[path.length]?.code ?? 0;
  if (code === 0x5b) return { path, single: false };
  if (code === 0x7b) return { path, single: true };
  throw invalid(file, `source.records "${spec}" holds ${describeCode(code)}, not records`, 'point source.records at an array of objects');
}

/**
 * Where the records are: `source.records` when given; else a top-level array; an object with an id
 * of its own; an envelope's one array of objects ({"tickets": [...], "count": 2}); the object a
 * wrapper holds as its only property ({"item": {...}}); else the object itself.
 */
export function locateRecords(survey: DocumentSurvey, spec: string | undefined, file: string): RecordsAt {
  const path = (spec ?? '').split('.').filter((key) => key !== '');
  if (path.length > 0) return followPath(survey, spec as string, path, file);
  const code = survey.shapes[0]?.code ?? 0;
  if (code === 0x5b) return { path, single: false };
  if (code !== 0x7b) throw invalid(file, `it holds ${describeCode(code)}, not records`, 'give an array of objects or an object');
  const keys = [...survey.children.keys()];
  if (RECORD_KEYS.some((key) => survey.children.has(key))) return { path, single: true };
  const lists = keys.filter((key) => {
    const child = survey.children.get(key) as Child;
    return child.code === 0x5b && child.elements > 0 && child.objects === child.elements;
  });
  if (lists.length > 1) {
    // Side-loaded exports ({"tickets": [...], "users": [...]}): guessing would import the wrong thing
    const why = `it has several arrays of objects (${lists.join(', ')})`;
    throw invalid(file, why, `set source.records to the one that holds the records, e.g. "${lists[0]}"`);
  }
  if (lists.length === 1) return { path: lists, single: false };
  const only = keys.length === 1 ? (keys[0] as string) : undefined;
  if (only !== undefined && survey.children.get(only)?.code === 0x7b) return { path: [only], single: true };
  return { path, single: true };
}

import { isHtml } from './html.js';

/** How many distinct values of a column are counted; past this it is free text or an id. */
export const DISTINCT_LIMIT = 1_000;
/** Values longer than this are text, not a category: they are not counted as distinct values. */
const CATEGORY_LENGTH = 120;
/** How many records are kept whole, for the guesses that look at a few examples. */
export const SAMPLE_SIZE = 200;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What one column (or JSON path) holds across the whole export. */
export interface ColumnProfile {
  /** Rows with a non-empty value. */
  filled: number;
  /** Each distinct value (trimmed text) with its row count, while there are at most DISTINCT_LIMIT short ones. */
  values: Map<string, number>;
  /** True once the column had more distinct values than are counted, or one too long to be a category. */
  manyValues: boolean;
  /** Values that are HTML (by the same test the html transforms use per value). */
  html: number;
  /** Values with a real line break; values with only an escaped `\n`. */
  newlines: number;
  escapedNewlines: number;
  /** Values that are one e-mail address. */
  emails: number;
  /** Values that are objects or lists (JSON), not one scalar. */
  nested: number;
}

/** What `init` learns from reading a whole export: its columns, every value's count, a sample of records. */
export interface ExportProfile {
  columns: string[];
  records: number;
  /** Records that could not be read at all, and records with bytes invalid in the encoding. */
  unreadable: number;
  badEncoding: number;
  sample: Record<string, unknown>[];
  column(name: string): ColumnProfile;
}

function emptyColumn(): ColumnProfile {
  return { filled: 0, values: new Map(), manyValues: false, html: 0, newlines: 0, escapedNewlines: 0, emails: 0, nested: 0 };
}

/** Adds one value to a column's profile. */
function addValue(profile: ColumnProfile, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'object') {
    if (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0) {
      profile.filled++;
      profile.nested++;
    }
    return;
  }
  const text = String(value).trim();
  if (text === '') return;
  profile.filled++;
  if (!profile.manyValues) {
    if (text.length > CATEGORY_LENGTH || (profile.values.size >= DISTINCT_LIMIT && !profile.values.has(text))) {
      profile.manyValues = true;
      profile.values.clear();
    } else profile.values.set(text, (profile.values.get(text) ?? 0) + 1);
  }
  if (typeof value !== 'string') return;
  if (EMAIL.test(text)) profile.emails++;
  if (text.includes('\n')) profile.newlines++;
  else if (text.includes('\\n')) profile.escapedNewlines++;
  if (text.includes('<') && isHtml(text)) profile.html++;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Builds an export's profile record by record; JSON records add every nested path they hold. */
export class ProfileBuilder {
  private readonly columns = new Map<string, ColumnProfile>();
  private readonly sample: Record<string, unknown>[] = [];
  private records = 0;
  private unreadable = 0;
  private badEncoding = 0;

  constructor(header: readonly string[] = []) {
    for (const name of header) this.columns.set(name, emptyColumn());
  }

  add(fields: Record<string, unknown>): void {
    this.records++;
    if (this.sample.length < SAMPLE_SIZE) this.sample.push(fields);
    this.addObject(fields, '');
  }

  /** Counts a record that could not be read (`bad encoding`: read, but with replaced bytes). */
  addProblem(kind: 'unreadable' | 'encoding'): void {
    if (kind === 'unreadable') this.unreadable++;
    else this.badEncoding++;
  }

  private addObject(fields: Record<string, unknown>, prefix: string): void {
    for (const [key, value] of Object.entries(fields)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      // Nested objects are paths of their own; lists stay one column (threads, tags, ids)
      if (isObject(value) && Object.keys(value).length > 0) {
        this.addObject(value, path);
        continue;
      }
      let column = this.columns.get(path);
      if (column === undefined) this.columns.set(path, (column = emptyColumn()));
      addValue(column, value);
    }
  }

  build(): ExportProfile {
    const columns = this.columns;
    return {
      columns: [...columns.keys()],
      records: this.records,
      unreadable: this.unreadable,
      badEncoding: this.badEncoding,
      sample: this.sample,
      column: (name) => columns.get(name) ?? emptyColumn(),
    };
  }
}

/** The profile of a few records held in memory (tests, and guesses from a sample). */
export function profileRecords(records: readonly Record<string, unknown>[], header: readonly string[] = []): ExportProfile {
  const builder = new ProfileBuilder(header);
  for (const record of records) builder.add(record);
  return builder.build();
}

/** The column's distinct values, commonest first (ties in first-seen order). */
export function valuesByCount(profile: ColumnProfile): [string, number][] {
  return [...profile.values].sort((a, b) => b[1] - a[1]);
}

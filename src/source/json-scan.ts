const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LF = 0x0a;
const CR = 0x0d;

/** JSON's whitespace: space, tab, LF, CR. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === LF || code === CR;
}

/** Where a number, true, false or null ends: at whitespace, a comma or a closing bracket. */
function endsLiteral(code: number): boolean {
  return isSpace(code) || code === 0x2c || code === 0x5d || code === 0x7d;
}

/** How many backslashes end `text` before `end`, looking no further back than `from`. */
function backslashesBefore(text: string, end: number, from: number): number {
  let count = 0;
  while (end - 1 - count >= from && text.charCodeAt(end - 1 - count) === BACKSLASH) count++;
  return count;
}

/**
 * An open array or object. `depth` is how much of the target path leads to it: 0 is the top-level
 * value, `path.length` the target, `path.length + 1` a property of the target; -1 is off the path.
 */
export interface Frame {
  array: boolean;
  depth: number;
  /** The key this container is the value of, when its parent is an object on the path. */
  name: string | undefined;
  /** The last key read, in an object on the path. */
  key: string | undefined;
  expectKey: boolean;
  /** The line its opening bracket is on. */
  line: number;
}

/** What a scan reports: values, keys, commas and closes in containers on the path, offsets into the current chunk. */
export interface ScanHandler {
  /** A value starts at `at` (its first character `code`): at the top level or in a container on the path. */
  value(depth: number, parent: Frame | undefined, code: number, at: number, opened: Frame | undefined): void;
  /** A key of an object on the path (up to the target). */
  key(frame: Frame, key: string): void;
  /** A ',' at `at` in a container on the path. */
  comma(frame: Frame, at: number): void;
  /** The closing bracket at `at` of a container on the path. */
  close(frame: Frame, at: number): void;
  /** The current chunk ends; text being kept goes on in the next one. */
  chunkEnd(text: string): void;
  /** A second top-level value starts at `at`: the text is JSON Lines, not one document. */
  another(at: number): void;
}

/** A document whose brackets do not balance, or that ends early; `line` is where it shows. */
export class JsonStructureError extends Error {
  constructor(
    readonly why: string,
    readonly line: number,
  ) {
    super(why);
  }
}

/** Names a container for messages: "the array opened on line 3". */
export function describeFrame(frame: Frame): string {
  return `the ${frame.array ? 'array' : 'object'} opened on line ${frame.line}`;
}

/**
 * A chunk-fed JSON scanner: it tracks strings (escapes included), literals and nesting across chunk
 * edges, counts lines, and reports only what lies on the path to the records, so memory stays flat
 * whatever the document's size. It checks that brackets balance; the grammar inside a record is
 * left to JSON.parse of that record.
 */
export class JsonScanner {
  private readonly stack: Frame[] = [];
  /** Brackets open inside a value off the path (a record's insides): only counted, never reported. */
  private readonly off: number[] = [];
  private offLine = 0;
  private text = '';
  private inString = false;
  private escaped = false;
  private inLiteral = false;
  private keyParts: string[] | undefined;
  private topStarted = false;
  private topDone = false;
  private stopped = false;
  private line = 1;
  private nextLf = -1;
  private nextCr = -1;
  private pendingCr = false;

  constructor(
    private readonly path: readonly string[],
    private readonly handler: ScanHandler,
  ) {}

  /** The chunk being scanned, which handler offsets point into. */
  get chunk(): string {
    return this.text;
  }

  /** True once a value was seen. */
  get started(): boolean {
    return this.topStarted;
  }

  /** Stops scanning: the rest of the current chunk and later chunks are ignored. */
  stop(): void {
    this.stopped = true;
  }

  /** Scans the next chunk of text. */
  feed(text: string): void {
    if (this.stopped || text === '') return;
    this.startChunk(text);
    let i = 0;
    if (this.inString) i = this.skipString(this.escaped ? 1 : 0, 0) + 1;
    else if (this.inLiteral) i = this.skipLiteral(0) + 1;
    for (; i < text.length && !this.stopped; i++) {
      if (this.off.length > 0) {
        // Returns the bracket that closed the value (the loop steps past it) or the chunk's end
        i = this.skipOff(i);
        continue;
      }
      const code = text.charCodeAt(i);
      if (isSpace(code) || code === 0x3a) continue;
      if (code === 0x2c) this.comma(i);
      else if (code === 0x5d || code === 0x7d) this.close(code, i);
      else i = this.valueOrKey(code, i);
    }
    if (!this.stopped) this.endChunk();
  }

  /** Ends the scan; throws a JsonStructureError when the document is not complete. */
  finish(): void {
    if (this.stopped) return;
    const line = this.line + (this.pendingCr ? 1 : 0);
    const top = this.stack[this.stack.length - 1];
    // Inside a record, the record's own bracket is named: the line a user looks at first
    const open = this.off.length > 0 ? this.describeOff() : top === undefined ? undefined : describeFrame(top);
    if (this.inString) {
      const inside = open === undefined ? '' : `, in ${open}`;
      throw new JsonStructureError(`it ends on line ${line} inside a string${inside}, so it looks cut short`, line);
    }
    if (open !== undefined) throw new JsonStructureError(`it ends on line ${line} before ${open} is closed, so it looks cut short`, line);
  }

  /** The 1-based line of offset `at` of the current chunk; offsets must be asked in ascending order. */
  lineAt(at: number): number {
    const text = this.text;
    while (this.nextLf !== -1 && this.nextLf < at) {
      this.line++;
      this.nextLf = text.indexOf('\n', this.nextLf + 1);
    }
    while (this.nextCr !== -1 && this.nextCr < at) {
      // CRLF is one break, counted at its LF; a CR ending the chunk waits for the next one
      if (this.nextCr === text.length - 1) {
        this.pendingCr = true;
        this.nextCr = -1;
      } else {
        if (text.charCodeAt(this.nextCr + 1) !== LF) this.line++;
        this.nextCr = text.indexOf('\r', this.nextCr + 1);
      }
    }
    return this.line;
  }

  private startChunk(text: string): void {
    this.text = text;
    if (this.pendingCr && text.charCodeAt(0) !== LF) this.line++;
    this.pendingCr = false;
    this.nextLf = text.indexOf('\n');
    this.nextCr = text.indexOf('\r');
  }

  private endChunk(): void {
    this.lineAt(this.text.length);
    this.handler.chunkEnd(this.text);
  }

  private comma(at: number): void {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) return;
    if (!top.array) top.expectKey = true;
    if (top.depth >= 0) this.handler.comma(top, at);
  }

  private close(code: number, at: number): void {
    const top = this.stack.pop();
    const bracket = String.fromCharCode(code);
    if (top === undefined) throw new JsonStructureError(`it has a "${bracket}" on line ${this.lineAt(at)} that closes nothing`, this.line);
    if (top.array !== (code === 0x5d)) {
      throw new JsonStructureError(`it has a "${bracket}" on line ${this.lineAt(at)} where ${describeFrame(top)} should close`, this.line);
    }
    if (top.depth >= 0) this.handler.close(top, at);
    if (this.stack.length === 0) this.topDone = true;
  }

  /** A string, literal or container starting at `at`; returns the offset of its last character here. */
  private valueOrKey(code: number, at: number): number {
    const parent = this.stack[this.stack.length - 1];
    if (code === QUOTE && parent !== undefined && !parent.array && parent.expectKey) {
      parent.expectKey = false;
      if (parent.depth >= 0 && parent.depth <= this.path.length) this.keyParts = [];
      return this.skipString(at + 1);
    }
    if (parent === undefined) {
      if (this.topDone) {
        this.handler.another(at);
        this.stop();
        return at;
      }
      this.topStarted = true;
    }
    const depth = this.depthOf(parent);
    let opened: Frame | undefined;
    if ((code === 0x7b || code === 0x5b) && depth < 0) {
      this.off.push(code);
      this.offLine = this.lineAt(at);
    } else if (code === 0x7b || code === 0x5b) {
      const name = parent !== undefined && !parent.array ? parent.key : undefined;
      opened = { array: code === 0x5b, depth, name, key: undefined, expectKey: code === 0x7b, line: this.lineAt(at) };
      this.stack.push(opened);
    }
    if (parent === undefined || parent.depth >= 0) this.handler.value(depth, parent, code, at, opened);
    if (code === 0x7b || code === 0x5b) return at;
    if (parent === undefined) this.topDone = true;
    return code === QUOTE ? this.skipString(at + 1) : this.skipLiteral(at);
  }

  /** How much of the path leads to a value in `parent`. */
  private depthOf(parent: Frame | undefined): number {
    if (parent === undefined) return 0;
    if (parent.depth < 0 || parent.array) return -1;
    if (parent.depth === this.path.length) return parent.depth + 1;
    if (parent.depth < this.path.length && parent.key === this.path[parent.depth]) return parent.depth + 1;
    return -1;
  }

  /**
   * Skips the insides of a value off the path: strings and brackets only, as fast as a loop can go.
   * Returns the offset of the bracket that closes the value, or the chunk's end.
   */
  private skipOff(from: number): number {
    const text = this.text;
    const off = this.off;
    for (let i = from; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        i = this.skipString(i + 1);
      } else if (code === 0x7b || code === 0x5b) {
        off.push(code);
      } else if (code === 0x7d || code === 0x5d) {
        // '{' and '}' (like '[' and ']') are two code points apart
        if (off[off.length - 1] !== code - 2) this.misplaced(code, i);
        off.pop();
        if (off.length === 0) return i;
      }
    }
    return text.length;
  }

  private describeOff(): string {
    const kind = (code: number): string => (code === 0x5b ? 'array' : 'object');
    const outer = `the ${kind(this.off[0] as number)} opened on line ${this.offLine}`;
    return this.off.length === 1 ? outer : `an ${kind(this.off[this.off.length - 1] as number)} in ${outer}`;
  }

  private misplaced(code: number, at: number): never {
    throw new JsonStructureError(`it has a "${String.fromCharCode(code)}" on line ${this.lineAt(at)} where ${this.describeOff()} should close`, this.line);
  }

  /**
   * Skips string content to its closing quote (returned) or to the chunk's end. `content` is where
   * this chunk's part of the string starts; `from` where a backslash may start (past an escaped
   * first character carried over from the previous chunk).
   */
  private skipString(from: number, content = from): number {
    const text = this.text;
    for (let end = text.indexOf('"', from); end !== -1; end = text.indexOf('"', end + 1)) {
      if (backslashesBefore(text, end, from) % 2 === 1) continue;
      this.inString = false;
      this.escaped = false;
      if (this.keyParts !== undefined) this.readKey(text.slice(content, end));
      return end;
    }
    this.inString = true;
    this.escaped = backslashesBefore(text, text.length, from) % 2 === 1;
    this.keyParts?.push(text.slice(content));
    return text.length;
  }

  private readKey(last: string): void {
    const raw = (this.keyParts ?? []).join('') + last;
    this.keyParts = undefined;
    let key: string;
    try {
      key = JSON.parse(`"${raw}"`) as string;
    } catch {
      key = raw;
    }
    const top = this.stack[this.stack.length - 1] as Frame;
    top.key = key;
    this.handler.key(top, key);
  }

  /** Skips a number, true, false or null from `from`; returns its last offset in this chunk. */
  private skipLiteral(from: number): number {
    const text = this.text;
    let end = from;
    while (end < text.length && !endsLiteral(text.charCodeAt(end))) end++;
    this.inLiteral = end === text.length;
    return end - 1;
  }
}

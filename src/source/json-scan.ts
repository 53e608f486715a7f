const BACKSLASH = 0x5c;

/** JSON's whitespace: space, tab, LF, CR. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** An open array or object while scanning; `depth` is how much of the target path leads here (-1: off it). */
interface Frame {
  array: boolean;
  depth: number;
  key: string | undefined;
  expectKey: boolean;
}

/** Where the value at a path starts, and where each element starts if it is an array (UTF-16 offsets). */
export interface ValueStarts {
  value: number;
  elements: number[];
}

/** The offset of the quote closing the string that opens at `start`. */
function skipString(text: string, start: number): number {
  for (let end = text.indexOf('"', start + 1); end !== -1; end = text.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
  return text.length;
}

/** The offset of the last character of a number, true, false or null starting at `start`. */
function skipLiteral(text: string, start: number): number {
  let end = start;
  for (let code = text.charCodeAt(end + 1); end + 1 < text.length; code = text.charCodeAt(end + 1)) {
    if (isSpace(code) || code === 0x2c || code === 0x5d || code === 0x7d) break;
    end++;
  }
  return end;
}

/**
 * Finds where the value at `path` (object keys from the top) starts in a valid JSON text, and where
 * each of its elements starts. JSON.parse gives values, not positions; this small scanner tracks
 * strings, escapes and nesting so every record can be named by its line.
 */
export function findValueStarts(text: string, path: readonly string[]): ValueStarts {
  const stack: Frame[] = [];
  const found: ValueStarts = { value: -1, elements: [] };
  const startValue = (at: number): number => {
    const top = stack[stack.length - 1];
    let depth = 0;
    if (top?.array) {
      if (top.depth === path.length) found.elements.push(at);
      depth = -1;
    } else if (top !== undefined) {
      const onPath = top.depth >= 0 && top.depth < path.length && top.key === path[top.depth];
      depth = onPath ? top.depth + 1 : -1;
    }
    if (depth === path.length && found.value === -1) found.value = at;
    return depth;
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (code === 0x22) {
      const end = skipString(text, i);
      if (top !== undefined && !top.array && top.expectKey) {
        // Keys are decoded only on the path; elsewhere their text does not matter
        if (top.depth >= 0) top.key = JSON.parse(text.slice(i, end + 1)) as string;
        top.expectKey = false;
      } else startValue(i);
      i = end;
    } else if (code === 0x7b || code === 0x5b) {
      const depth = startValue(i);
      stack.push({ array: code === 0x5b, depth, key: undefined, expectKey: code === 0x7b });
    } else if (code === 0x7d || code === 0x5d) {
      stack.pop();
    } else if (code === 0x2c) {
      if (top !== undefined && !top.array) top.expectKey = true;
    } else if (code !== 0x3a && !isSpace(code)) {
      startValue(i);
      i = skipLiteral(text, i);
    }
  }
  return found;
}

/** The 1-based line of each offset (ascending), counting CRLF, CR and LF as one break each. */
export function linesAt(text: string, offsets: readonly number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let position = 0;
  for (const offset of offsets) {
    for (; position < offset; position++) {
      const code = text.charCodeAt(position);
      if (code === 0x0a || (code === 0x0d && text.charCodeAt(position + 1) !== 0x0a)) line++;
    }
    lines.push(line);
  }
  return lines;
}

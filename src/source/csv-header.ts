/** Header names ready to key records by, with a warning for every name that had to change. */
export interface NormalizedHeader {
  columns: string[];
  warnings: string[];
}

/** `base_2`, `base_3`, … : the first suffix no other column has or will have. */
function freshName(base: string, taken: ReadonlySet<string>, used: ReadonlySet<string>): string {
  for (let n = 2; ; n++) {
    const name = `${base}_${n}`;
    if (!taken.has(name) && !used.has(name)) return name;
  }
}

/**
 * Trims header names, names empty ones `column_N` (1-based position) and suffixes repeats `_2`, `_3`.
 * Deterministic, and a renamed column never takes a name that appears later in the header.
 * `line` is the header's line, for the warnings (which leave the file name to whoever shows them).
 */
export function normalizeHeader(cells: readonly string[], line: number): NormalizedHeader {
  const trimmed = cells.map((cell) => cell.trim());
  const taken = new Set(trimmed.filter((name) => name !== ''));
  const used = new Set<string>();
  const warnings: string[] = [];
  const columns = trimmed.map((name, index) => {
    const position = index + 1;
    let column = name;
    if (name === '') {
      const fallback = `column_${position}`;
      column = taken.has(fallback) || used.has(fallback) ? freshName(fallback, taken, used) : fallback;
      warnings.push(`header column ${position} (line ${line}) has no name; it is called "${column}"`);
    } else if (used.has(name)) {
      column = freshName(name, taken, used);
      warnings.push(`header column ${position} (line ${line}) repeats "${name}"; it is called "${column}"`);
    }
    used.add(column);
    return column;
  });
  return { columns, warnings };
}

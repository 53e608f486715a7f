/** The JSON paths whose values differ between two mappings (canonical JSON texts), at most `limit`. */
export function mappingChanges(before: string, after: string, limit = 8): string[] {
  const left = flatten(JSON.parse(before) as unknown);
  const right = flatten(JSON.parse(after) as unknown);
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  const changed = paths.filter((path) => left.get(path) !== right.get(path));
  const shown = changed.slice(0, limit).map((path) => describe(path, left.get(path), right.get(path)));
  return changed.length > limit ? [...shown, `and ${changed.length - limit} more`] : shown;
}

function describe(path: string, before: string | undefined, after: string | undefined): string {
  if (before === undefined) return `${path} added (${after})`;
  if (after === undefined) return `${path} removed (was ${before})`;
  return `${path}: ${before} → ${after}`;
}

function flatten(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) flatten(inner, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into.set(prefix, JSON.stringify(value));
  }
  return into;
}

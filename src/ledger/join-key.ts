/**
 * A ticket key as a messages file's join column is compared with it: trimmed, and a whole number
 * written as a decimal (`1077.0`, as some warehouses export integer ids) as the integer.
 */
export function joinKey(text: string): string {
  const trimmed = text.trim();
  return /^-?\d+\.0+$/.test(trimmed) ? trimmed.slice(0, trimmed.indexOf('.')) : trimmed;
}

/** Lowercase, and without spaces, underscores, dashes and dots: "Ticket ID" and "ticket_id" compare equal. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours ("form" → "from" is 1). */
function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/** How far apart two names are, or undefined when too far to be a plausible typo. */
function distance(name: string, candidate: string): number | undefined {
  const a = normalize(name);
  const b = normalize(candidate);
  if (a === '' || b === '') return undefined;
  const edits = Math.min(editDistance(name.toLowerCase(), candidate.toLowerCase()), editDistance(a, b));
  const limit = Math.max(1, Math.floor(Math.max(a.length, b.length) * 0.4));
  if (edits <= limit) return edits;
  // "email" for "Requester email": one name holding the other is a good hint too.
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  return short.length >= 3 && long.includes(short) ? limit + 1 : undefined;
}

/** Up to `n` candidates close to `name` (case-insensitive edit distance, or containment), best first. */
export function nearestNames(name: string, candidates: readonly string[], n = 3): string[] {
  const scored: { candidate: string; score: number; index: number }[] = [];
  candidates.forEach((candidate, index) => {
    if (candidate === name) return;
    const score = distance(name, candidate);
    if (score !== undefined) scored.push({ candidate, score, index });
  });
  scored.sort((x, y) => x.score - y.score || x.index - y.index);
  return [...new Set(scored.map((s) => s.candidate))].slice(0, n);
}

/** ` (did you mean "x"?)`, or an empty string when no candidate is close. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const [best] = nearestNames(name, candidates, 1);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

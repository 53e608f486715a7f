import { isEmpty } from './fields.js';

/** How many distinct values one leaf remembers; past it they are counted together as `other`. */
export const DISTINCT_VALUES = 1000;

/** Distinct texts and how often each was seen, bounded to DISTINCT_VALUES. */
export class ValueCounts {
  private readonly counts = new Map<string, number>();
  /** Every value added, the remembered and the others. */
  total = 0;
  /** Values added once DISTINCT_VALUES distinct ones were remembered (not told apart). */
  other = 0;

  /** Counts one value. */
  add(text: string): void {
    this.total += 1;
    const count = this.counts.get(text);
    if (count !== undefined) this.counts.set(text, count + 1);
    else if (this.counts.size < DISTINCT_VALUES) this.counts.set(text, 1);
    else this.other += 1;
  }

  /** How many distinct values were remembered. */
  get distinct(): number {
    return this.counts.size;
  }

  /** The `limit` commonest values, commonest first (ties in first-seen order). */
  top(limit: number): { value: string; count: number }[] {
    return [...this.counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count).slice(0, limit);
  }
}

/** What one leaf of the mapping gave, over every row (or message) it was evaluated for. */
export class LeafTally {
  /** Rows (messages, for message leaves) where the leaf came out with a value read from the source. */
  value = 0;
  /** Rows where it came out empty (no value and no default). */
  empty = 0;
  /** Rows where it took the rule's `default`, the value being empty or not in the map. */
  defaulted = 0;
  /** Of `defaulted`: the rows where the value was empty. */
  defaultedEmpty = 0;
  /** Values not in the rule's `map`: the ones that took the default, or (without one) made the row invalid. */
  readonly unmapped = new ValueCounts();

  constructor(
    /** The leaf's path in the mapping, e.g. `conversation.status`. */
    readonly at: string,
    /** The fields it reads. */
    readonly reads: readonly string[],
    /** Whether the rule has a `map`. */
    readonly hasMap: boolean,
    /** The rule's `default`; undefined without one. */
    readonly fallback: unknown,
  ) {}

  /** Counts one evaluation by what it gave: a value, nothing, or the default (`fromEmpty`: for an empty value; `fromMap`: for a value not in the map). */
  count(value: unknown, fromEmpty: boolean, fromMap: boolean): void {
    if (isEmpty(value)) this.empty += 1;
    else if (!fromEmpty && !fromMap) this.value += 1;
    else {
      this.defaulted += 1;
      if (fromEmpty) this.defaultedEmpty += 1;
    }
  }
}

/** The tallies of every leaf of one compiled mapping that reads the source, in the order of the mapping. */
export class LeafTallies {
  private readonly tallies: LeafTally[] = [];

  /** A new tally for the leaf at `at`. */
  add(at: string, reads: readonly string[], rule: { map?: unknown; default?: unknown } = {}): LeafTally {
    const tally = new LeafTally(at, reads, rule.map !== undefined, rule.default);
    this.tallies.push(tally);
    return tally;
  }

  /** Every tally, in the order of the mapping. */
  list(): readonly LeafTally[] {
    return this.tallies;
  }
}

import { coverFields, type FieldCounter, type FieldCoverage } from '../mapping/coverage.js';
import type { LeafTally } from '../mapping/leaf-tally.js';
import { LOSS_KINDS, type LossCounts, type LossKind } from '../mapping/losses.js';
import type { CompiledMapping } from '../mapping/types.js';

/** How many distinct values no map covers are listed per leaf. */
export const TOP_UNMAPPED = 20;

/** What one leaf of the mapping gave over the rows (or, for message leaves, the messages) mapped. */
export interface TargetCount {
  at: string;
  per: 'row' | 'message';
  /** The source fields it reads. */
  reads: readonly string[];
  /** Evaluations: rows mapped, or message elements for a message leaf. */
  count: number;
  value: number;
  empty: number;
  /** Evaluations that took the rule's `default`; `defaultedEmpty` of them because the value was empty. */
  defaulted: number;
  defaultedEmpty: number;
  /** The rule's `default`; undefined without one. */
  fallback: unknown;
}

/** The values a rule's `map` does not cover: the ones that took its default, or (without one) made their rows invalid. */
export interface UnmappedValues {
  at: string;
  tookDefault: boolean;
  fallback: unknown;
  /** Every value not covered, how many distinct ones were told apart, and how many came past that bound. */
  count: number;
  distinct: number;
  other: number;
  /** The commonest TOP_UNMAPPED, commonest first. */
  values: { value: string; count: number }[];
}

/** Everything `validate` found the mapping does not carry: source fields, leaves, values no map covers. */
export interface LossReport {
  fields: FieldCoverage;
  /** The same for the records of the messages files (`messages.join`), when there are any. */
  messageFields?: FieldCoverage | undefined;
  targets: TargetCount[];
  unmapped: UnmappedValues[];
}

function targetOf(tally: LeafTally): TargetCount {
  const { at, reads, value, empty, defaulted, defaultedEmpty, fallback } = tally;
  const per = at.startsWith('messages.') ? 'message' : 'row';
  return { at, per, reads, count: value + empty + defaulted, value, empty, defaulted, defaultedEmpty, fallback };
}

/** The loss report of the records counted by `fields`, mapped by `mapping`. */
export function buildLossReport(fields: FieldCounter, mapping: CompiledMapping, messageFields?: FieldCounter): LossReport {
  const tallies = mapping.tallies.list();
  const unmapped = tallies.filter((tally) => tally.unmapped.total > 0).map((tally): UnmappedValues => ({
    at: tally.at,
    tookDefault: tally.fallback !== undefined,
    fallback: tally.fallback,
    count: tally.unmapped.total,
    distinct: tally.unmapped.distinct,
    other: tally.unmapped.other,
    values: tally.unmapped.top(TOP_UNMAPPED),
  }));
  return {
    fields: coverFields(fields.counts(), mapping.recordFields, mapping.ignore),
    ...(messageFields ? { messageFields: coverFields(messageFields.counts(), mapping.messageFields, mapping.ignore) } : {}),
    targets: tallies.map(targetOf),
    unmapped,
  };
}

/** What `--strict` weighs besides the report: the row counts, the loss counts, the messages files. */
export interface StrictInputs {
  invalid: number;
  duplicates: number;
  losses: LossCounts;
  report: LossReport;
  messageFiles?: { unreadable: number; orphans: number } | undefined;
}

const plural = (count: number, one: string, many: string) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

/** Why `--strict` refuses the files, one phrase each; empty when every value is carried. */
export function strictReasons(inputs: StrictInputs): string[] {
  const { invalid, duplicates, losses, report, messageFiles } = inputs;
  const reasons: string[] = [];
  if (invalid > 0) reasons.push(`${plural(invalid, 'row is', 'rows are')} invalid`);
  if (duplicates > 0) reasons.push(`${plural(duplicates, 'row is a duplicate', 'rows are duplicates')}`);
  const unused = report.fields.unused;
  if (unused.length > 0) reasons.push(`${plural(unused.length, 'source field holds', 'source fields hold')} values the mapping neither reads nor ignores (${unused.slice(0, 3).map((f) => f.field).join(', ')}${unused.length > 3 ? ', …' : ''})`);
  const unusedInMessages = report.messageFields?.unused ?? [];
  if (unusedInMessages.length > 0) reasons.push(`${plural(unusedInMessages.length, 'field of the messages files holds', 'fields of the messages files hold')} values the mapping neither reads nor ignores (${unusedInMessages.slice(0, 3).map((f) => f.field).join(', ')}${unusedInMessages.length > 3 ? ', …' : ''})`);
  const defaulted = report.targets.filter((target) => target.defaulted > 0);
  if (defaulted.length > 0) reasons.push(`${plural(defaulted.length, 'leaf took its default', 'leaves took their default')} (${defaulted.slice(0, 3).map((t) => t.at).join(', ')}${defaulted.length > 3 ? ', …' : ''})`);
  const kinds = (Object.keys(LOSS_KINDS) as LossKind[]).filter((kind) => (losses[kind] ?? 0) > 0);
  const lost = kinds.reduce((sum, kind) => sum + (losses[kind] ?? 0), 0);
  if (lost > 0) reasons.push(`${plural(lost, 'value was', 'values were')} not carried as the export holds ${lost === 1 ? 'it' : 'them'} (${kinds.join(', ')})`);
  if ((messageFiles?.unreadable ?? 0) > 0) reasons.push(`${plural(messageFiles!.unreadable, 'message record cannot', 'message records cannot')} be read`);
  if ((messageFiles?.orphans ?? 0) > 0) reasons.push(`${plural(messageFiles!.orphans, 'message belongs', 'messages belong')} to no ticket of these files`);
  return reasons;
}

/**
 * What a migration could not carry as the export held it: every value dropped, defaulted,
 * misattributed or reordered on its way to Re:amaze is one `Loss`, counted per kind in `validate`,
 * `run --json` and `status`. None of them stops a row; `--strict` (later) makes them errors.
 */
export const LOSS_KINDS = {
  author_unknown: 'messages whose author cannot be named (no e-mail, unknown user id): sent by the importing staff member, the original author named in the header',
  author_not_staff: 'agent messages whose author is no Re:amaze staff member (no match, no staff map entry): sent by the importing staff member, the original author named in the header',
  note_reordered: 'internal notes that came before the first public message: posted right after it, their header keeping the original time',
  opened_by_importer: 'threads without a public message: opened by the importing staff member with a line saying so, every note kept private below it',
  assignee_not_staff: 'assignees who are no Re:amaze staff member: the conversation is left unassigned (the presets keep the old assignee in data)',
  attachments_linked: 'attachments after a message\'s first: linked at the end of its body (Re:amaze takes one attachment per message)',
  attachment_not_url: 'attachments that are not http(s) URLs: named at the end of the body, not carried',
  bcc_not_shown: 'Bcc of public messages: not written into text the customer sees (a ticket\'s Bcc is kept in data, a note\'s in its header)',
  date_unparsed: 'dates that could not be read: kept as written',
  date_sentinel: 'placeholder dates (1900-01-01, 0000-00-00, the epoch…): left empty',
  custom_field_dropped: 'custom fields that could not be kept in data (a name taken by another field, a value that is not one level deep)',
  lookup_missed: 'values whose key is not in their lookup file (a user id not in users.json): left empty',
} as const;

/** One kind of loss. */
export type LossKind = keyof typeof LOSS_KINDS;

/** One thing not carried as the export held it, at a path of the mapped row (`messages[2].user`). */
export interface Loss {
  kind: LossKind;
  path: string;
  /** What was lost, in a few words (`"2019-13-45"`, `agent jane@old.com`). */
  detail: string;
}

/** How many losses of each kind; kinds without any are left out. */
export type LossCounts = Partial<Record<LossKind, number>>;

/** Records a loss at the path of the value being mapped. */
export type Note = (kind: LossKind, detail: string) => void;

/** The counts of a list of losses. */
export function countLosses(losses: readonly Loss[]): LossCounts {
  const counts: LossCounts = {};
  for (const { kind } of losses) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Adds `more` into `into`. */
export function addLossCounts(into: LossCounts, more: LossCounts): LossCounts {
  for (const [kind, count] of Object.entries(more) as [LossKind, number][]) into[kind] = (into[kind] ?? 0) + count;
  return into;
}

/** The counts in the order of LOSS_KINDS, for output that reads the same every time. */
export function sortedLossCounts(counts: LossCounts): LossCounts {
  const sorted: LossCounts = {};
  for (const kind of Object.keys(LOSS_KINDS) as LossKind[]) if (counts[kind]) sorted[kind] = counts[kind];
  return sorted;
}

/** Reads a ledger's stored counts back; anything that is not a count of a known kind is ignored. */
export function parseLossCounts(text: string | null | undefined): LossCounts {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') return {};
    const counts: LossCounts = {};
    for (const [kind, count] of Object.entries(parsed)) {
      if (Object.hasOwn(LOSS_KINDS, kind) && Number.isInteger(count) && (count as number) > 0) counts[kind as LossKind] = count as number;
    }
    return counts;
  } catch {
    return {};
  }
}

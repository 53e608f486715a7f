import type { RowProblem } from '../errors.js';
import type { SourceOptions } from '../source/types.js';
import type { AuthorDirectory, MappedAuthor } from './authors.js';
import type { Loss } from './losses.js';
import type { Lookups } from './lookups.js';
import type { LeafTallies } from './leaf-tally.js';

/** A field the mapping reads, and where in the mapping file it is named (for error messages). */
export interface FieldReference {
  /** The column name or dotted path, as written inside `{{ }}` or in `from`. */
  field: string;
  /** The JSON path in the mapping where it is named, e.g. `conversation.user.email.from`. */
  at: string;
  /** True when the mapping requires a value there (required rule, or a leaf the API requires). */
  required: boolean;
}

/** One message of a thread, mapped. */
export interface MappedMessage {
  /** The message's `origin_id`: the legacy id, or `<row key>#<position>`; its identity in the ledger. */
  originId: string;
  /** Its position in the sorted thread (0-based), for error messages. */
  index: number;
  /** The `{"message": {...}}` body as it would be sent (before payload validation); `user` once its author is resolved. */
  body: Record<string, unknown>;
  /** Who wrote it, as the export says; resolved against the staff list when the row is mapped. */
  author?: MappedAuthor;
  /** What mapping it could not carry as the export held it. */
  losses?: Loss[];
}

/** The result of mapping one record: a request body not yet validated, plus mapping problems. */
export interface MappedRow {
  /** The `{"conversation": {...}}` body as it would be sent (before payload validation). */
  body: Record<string, unknown>;
  /** The thread after the conversation's first message, in order (empty when the mapping has none). */
  messages: MappedMessage[];
  /** The message that opened the conversation, when the thread's first message does. */
  opener?: MappedMessage;
  /** Problems found while mapping (a required value missing, a bad date), each at its path. */
  problems: RowProblem[];
  /** What could not be carried as the export held it (the thread's included), each at its path. */
  losses: Loss[];
  /** The staff e-mail the final PUT assigns the conversation to, when the mapping names one who is staff. */
  assignee?: string;
}

/** Where a relational export's messages are joined from (`messages.join`). */
export interface JoinOptions {
  /** The column (or template) of a message record holding its ticket's key. */
  on: string;
  /** Where `on` is in the mapping, for messages (default `messages.join.on`). */
  at?: string;
  /** How the messages files are read. */
  source: SourceOptions;
}

/** A mapping file checked and turned into pure functions of one record. */
export interface CompiledMapping {
  /** Source options from the mapping's `source` section. */
  readonly source: SourceOptions;
  /** The mapping's lookups (`lookups`), given their files when a command opens them. */
  readonly lookups: Lookups;
  /** How each declared lookup's file is read: its key column and source options. */
  readonly lookupSpecs: Readonly<Record<string, JoinOptions>>;
  /** How thread messages are told apart: a mapped origin_id, or their position in the thread. */
  readonly threadIds: 'mapped' | 'position' | undefined;
  /** Set when the messages are in files of their own, joined to tickets by key. */
  readonly join: JoinOptions | undefined;
  /** The data field the row key is written to in `conversation.data`. */
  readonly keyField: string;
  /** Hash of the normalized mapping, to notice a changed mapping between runs. */
  readonly hash: string;
  /** The normalized mapping as canonical JSON (sorted keys), to say what changed between runs. */
  readonly canonical: string;
  /** True when the mapping names who wrote messages or who is assigned: `run` then reads the staff list. */
  readonly namesAuthors: boolean;
  /** Every column or path the mapping reads. */
  readonly references: readonly FieldReference[];
  /** The paths of a source record the mapping reads (a message list as the list, not its items' paths). */
  readonly recordFields: readonly string[];
  /** The paths of a messages file's record the mapping reads (`messages.join`: its key and each message's fields). */
  readonly messageFields: readonly string[];
  /** `source.ignore`: columns or paths left out on purpose. */
  readonly ignore: readonly string[];
  /** What each leaf reading the source gave, counted as rows are mapped (for `validate`'s report). */
  readonly tallies: LeafTallies;
  /** The row key: `source.key` evaluated, or a hash of the record's fields without one; undefined when the key column is empty. */
  keyOf(fields: Record<string, unknown>): string | undefined;
  /**
   * Maps only the thread of a record (every message, none taken to open the conversation);
   * `joined`: with `messages.join`, the ticket's records of the messages files (else unused).
   */
  mapThread(fields: Record<string, unknown>, key: string, joined?: readonly Record<string, unknown>[], authors?: AuthorDirectory): { messages: MappedMessage[]; problems: RowProblem[]; losses: Loss[] };
  /**
   * Maps a record's fields (and, with `messages.join`, its `joined` thread) to a request body, its
   * authors resolved through `authors` (default: no staff list, agents unchecked); never throws for bad data.
   */
  mapRow(fields: Record<string, unknown>, key: string | undefined, joined?: readonly Record<string, unknown>[], authors?: AuthorDirectory): MappedRow;
}

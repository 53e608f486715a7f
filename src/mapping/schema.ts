import { z } from 'zod';
import { checkDateFormat, checkTimezone } from './dates.js';
import { CustomFieldsSchema } from './custom-fields.js';
import { didYouMean } from './nearest.js';
import { isTemplate, parseTemplate } from './template.js';

/** Transforms written as a plain name. */
export const TRANSFORM_NAMES = [
  'trim', 'lowercase', 'uppercase', 'collapse-whitespace', 'html-to-markdown', 'html-to-text',
  'unescape-newlines', 'null-tokens', 'date', 'timestamp', 'number', 'boolean',
] as const;
/** Transforms written as a one-key object `{name: argument}`. */
export const TRANSFORM_OBJECT_NAMES = ['truncate', 'date', 'null-tokens', 'lookup', 'lookup-all'] as const;

/** A strict object whose unknown-property error names the nearest valid property. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const names = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `unknown property "${key}"${didYouMean(key, names)}`).join('; ')
        : undefined,
  });
}

/** Adds an issue when a string that looks like a template is malformed. */
function checkTemplate(text: string, ctx: z.RefinementCtx): void {
  const parsed = isTemplate(text) ? parseTemplate(text) : [];
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
}

const FieldOrTemplate = z
  .string()
  .min(1, { error: 'must name a column or path' })
  .superRefine(checkTemplate)
  .meta({ description: 'A column name, a dotted path ("requester.email"), or a template ("{{First}} {{Last}}").' });

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

function transformError(input: unknown): string {
  const valid = [...TRANSFORM_NAMES, ...TRANSFORM_OBJECT_NAMES];
  if (typeof input === 'string') {
    if (input === 'truncate') return 'transform "truncate" needs a length: {"truncate": 5000}';
    return `unknown transform "${input}"${didYouMean(input, valid)}`;
  }
  const keys = input !== null && typeof input === 'object' && !Array.isArray(input) ? Object.keys(input) : [];
  if (keys.length === 1) return `unknown transform "${keys[0]}"${didYouMean(keys[0]!, valid)}`;
  return 'expected a transform name ("trim") or an object with one key ({"truncate": 5000})';
}

const DateArgument = z.union([
  z.string().superRefine((format, ctx) => {
    const problem = checkDateFormat(format);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  strict({
    format: z.string().optional(),
    timezone: z.string().optional(),
  }).superRefine((options, ctx) => {
    const problems = [
      options.format === undefined ? undefined : checkDateFormat(options.format),
      options.timezone === undefined ? undefined : checkTimezone(options.timezone),
    ];
    for (const message of problems) if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  }),
]);

/** `"<lookup>.<field>"`: the field of a lookup's records that a lookup transform reads. */
const LookupField = (example: string) =>
  z.string().regex(/^[A-Za-z0-9_-]+\.[^.]/, { error: `must be "<lookup>.<field>", e.g. "${example}"` });

/** One transform: a name, or `{truncate: n}`, `{date: format | {format, timezone}}`, `{"null-tokens": [...]}`, `{lookup}`, `{"lookup-all"}`. */
export const TransformSchema = z
  .union(
    [
      z.enum(TRANSFORM_NAMES, { error: (issue) => transformError(issue.input) }),
      strict({ truncate: z.int().positive({ error: 'must be a positive integer' }) }),
      strict({ date: DateArgument }),
      strict({ 'null-tokens': z.array(z.string()) }),
      strict({
        lookup: LookupField('users.email').meta({ description: 'The value is a key of this lookup; the result is the field of its first record.' }),
      }),
      strict({
        'lookup-all': LookupField('tags.tag').meta({
          description: 'The value is a key of this lookup (or a list of keys); the result is the list of the field in every record of each key, in file order, without empties or duplicates.',
        }),
      }),
    ],
    { error: (issue) => transformError(issue.input) },
  )
  .meta({ id: 'Transform', description: 'A named transform; nothing is ever evaluated as code.' });

/** What reading a value takes: `from`, then transforms, split and map. */
const READING = {
  from: FieldOrTemplate,
  transform: z
    .array(TransformSchema)
    .optional()
    .meta({ description: 'Transforms, applied in order (to each element of a list).' }),
  split: z
    .string()
    .min(1, { error: 'must not be empty' })
    .optional()
    .meta({ description: 'Separator that turns text into a trimmed list without empty items.' }),
  map: z
    .record(z.string(), Scalar)
    .optional()
    .meta({ description: "Lookup by the value's text (each item of a list): exact, then trimmed and case-insensitive." }),
};

const LeafString = z.string().superRefine(checkTemplate);

/** A rule: read `from`, apply transforms, split, map; else `or`; fall back to `default`; fail the row when `required` and empty. */
export const RuleSchema = strict({
  ...READING,
  or: z
    .union([LeafString, strict(READING)], { error: 'expected a "{{template}}" or {"from": ..., "transform": [...]}' })
    .optional()
    .meta({ description: "Read when this rule comes out empty, before `default`: e.g. the requester's e-mail through a users lookup when the ticket names no sender." }),
  default: z
    .union([Scalar, z.array(z.union([z.string(), z.number(), z.boolean()]))])
    .optional()
    .meta({ description: 'Used when the value is empty or not in `map`.' }),
  required: z.boolean().optional().meta({ description: 'An empty result is an error of the row.' }),
}).meta({ id: 'Rule' });


/** A leaf: a literal, a template (`{{Column}}`, `{{path.to.field}}`, mixed with text) or a rule. */
export const LeafSchema = z
  .union([LeafString, z.number(), z.boolean(), RuleSchema], {
    error: 'expected a literal (string, number, boolean), a "{{template}}" or a rule {"from": ...}',
  })
  .meta({
    id: 'Leaf',
    description: 'A literal, a "{{template}}", or a rule {"from", "transform", "split", "map", "default", "required"}.',
  });

const LeafRecord = z.record(z.string(), LeafSchema);

const Delimiter = z.string().length(1, { error: 'must be one character' }).optional();
const Encoding = z
  .string()
  .refine((label) => isEncoding(label), { error: (issue) => `unknown encoding "${String(issue.input)}"` })
  .optional();

const SourceSchema = strict({
  format: z.enum(['csv', 'jsonl', 'json']).optional().meta({ description: 'Default: from the file extension.' }),
  key: FieldOrTemplate.optional().meta({
    description: 'The row key: a column, path or template (the legacy ticket id). Default: a hash of the record.',
  }),
  delimiter: Delimiter.meta({ description: 'CSV delimiter. Default: detected.' }),
  encoding: Encoding.meta({ description: 'A WHATWG encoding label. Default: UTF-8, or what a BOM says.' }),
  records: z.string().optional().meta({ description: 'For a JSON document: the dotted path of the records array.' }),
  timezone: z
    .string()
    .superRefine((timezone, ctx) => {
      const problem = checkTimezone(timezone);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .meta({ description: 'The zone of dates written without an offset ("Europe/Paris", "+05:30"); default UTC. A date transform with its own timezone keeps it.' }),
  ignore: z
    .array(z.string().min(1, { error: 'must name a column or path' }))
    .optional()
    .meta({ description: 'Columns (or paths) left out on purpose: validate lists them as ignored, not as unused, and --strict does not count them.' }),
  key_field: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'must be letters, digits, "_" or "-"' })
    .optional()
    .meta({ description: 'The conversation.data field the row key is written to. Default: "import_key".' }),
});

function isEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** Who wrote a message: their e-mail, name and old user id (the staff map may name them by id). */
const AuthorSchema = strict({
  name: LeafSchema.optional(),
  email: LeafSchema.optional(),
  id: LeafSchema.optional().meta({ description: "The old helpdesk's user id: named when there is no e-mail, and matched by the staff map." }),
});

const RoleLeaf = LeafSchema.optional().meta({
  description: 'Who wrote it: "customer" or "agent" (map the export\'s values). An agent\'s message is sent as the matching Re:amaze staff member. Default: an e-mail on the staff list is an agent\'s.',
});

const AttachmentsLeaf = LeafSchema.optional().meta({
  description: 'Every attachment: a list of URLs or of attachment objects (content_url/attachment_url/url and a name). The first is the message\'s attachment, the others are linked at the end of its body.',
});

const CopiesLeaf = (what: string) => LeafSchema.optional().meta({
  description: `${what} (a list of e-mails): ${what.includes('ticket') ? 'kept in data' : 'kept in the header'}${what.startsWith('Cc of the ticket') ? ' and the opening message\'s header' : ''}${what.startsWith('Bcc of the message') ? ' of internal notes only (a public message never shows it)' : ''}; never added as recipients (map conversation.message.recipients for that).`,
});

const ConversationSchema = strict({
  subject: LeafSchema.optional(),
  category: LeafSchema.meta({ description: 'The channel slug; required by the API.' }),
  tag_list: LeafSchema.optional(),
  status: LeafSchema.optional().meta({ description: '0 Open, 1 Pending, 2 Resolved, 3 Spam, 4 Archived, 5 On hold…' }),
  data: LeafRecord.optional().meta({ description: 'Custom fields, one level deep; the row key is added under source.key_field.' }),
  custom_fields: CustomFieldsSchema.optional(),
  assignee: AuthorSchema.optional().meta({ description: 'The agent the ticket is assigned to: set by the final PUT when they are a Re:amaze staff member (by e-mail or the staff map).' }),
  cc: CopiesLeaf('Cc of the ticket'),
  bcc: CopiesLeaf('Bcc of the ticket'),
  message: strict({
    body: LeafSchema.optional().meta({
      description: 'Markdown; required by the API. Leave it out when `messages` is mapped: the first message of the thread then opens the conversation.',
    }),
    header: LeafSchema.optional().meta({
      description: 'A line put above the body (original author and time), then a blank line; a conversation opened by its first message gets that message\'s header instead.',
    }),
    recipients: LeafSchema.optional(),
    attachment: LeafSchema.optional(),
    attachments: AttachmentsLeaf,
    role: RoleLeaf,
    user: AuthorSchema.optional().meta({ description: "The opening message's author, when it is not the customer (an agent's outbound ticket)." }),
    suppress_notification: LeafSchema.optional().meta({ description: 'Default: true.' }),
    suppress_notifications: LeafSchema.optional().meta({ description: 'Default: true.' }),
    suppress_autoresolve: LeafSchema.optional().meta({ description: 'Default: true.' }),
  }),
  user: strict({
    name: LeafSchema.optional(),
    email: LeafSchema.meta({ description: 'The customer; required by the API.' }),
    data: LeafRecord.optional(),
  }),
});

/** How a file of its own (messages, a lookup) is read, as `source` says it for the tickets. */
const FILE_OPTIONS = {
  format: z.enum(['csv', 'jsonl', 'json']).optional().meta({ description: 'Default: from the file extension.' }),
  delimiter: Delimiter,
  encoding: Encoding,
  records: z.string().optional().meta({ description: 'For a JSON document: the dotted path of the records array.' }),
};

const JoinSchema = strict({
  on: FieldOrTemplate.meta({ description: "The column of the messages file holding the ticket's key (source.key of the tickets)." }),
  ...FILE_OPTIONS,
}).meta({ description: 'Messages in files of their own (given with --messages), one message per record, joined to tickets by key.' });

/** What one message is made of (paths relative to one item of `from`, or to the record itself). */
const MESSAGE_LEAVES = {
  header: LeafSchema.optional().meta({ description: 'A line put above each body (original author and time), then a blank line.' }),
  body: LeafSchema,
  visibility: LeafSchema.optional().meta({ description: '0 reply, 1 internal note.' }),
  role: RoleLeaf,
  origin_id: LeafSchema.optional(),
  attachment: LeafSchema.optional(),
  attachments: AttachmentsLeaf,
  user: AuthorSchema.optional(),
  cc: CopiesLeaf('Cc of the message'),
  bcc: CopiesLeaf('Bcc of the message'),
  suppress_notification: LeafSchema.optional().meta({ description: 'Default: true.' }),
  suppress_notifications: LeafSchema.optional().meta({ description: 'Default: true.' }),
  suppress_autoresolve: LeafSchema.optional().meta({ description: 'Default: true.' }),
  suppress_surveys: LeafSchema.optional().meta({ description: 'Default: true.' }),
};

const MessagesSchema = strict({
  from: FieldOrTemplate.optional().meta({ description: 'The list of messages in each record; the paths below are relative to one item.' }),
  join: JoinSchema.optional(),
  order_by: FieldOrTemplate.optional().meta({
    description: 'Sort each thread by this field of a message (a date, a number or text); default: source order.',
  }),
  opens_conversation: z.boolean().optional().meta({
    description: "The thread's first public message opens the conversation (conversation.message.body, if mapped, only for an empty thread). Default: true when conversation.message.body is left out.",
  }),
  ...MESSAGE_LEAVES,
});

/** A message held in the record's own columns (a reply in an `answer` column). */
const MessageTemplateSchema = strict(MESSAGE_LEAVES).meta({ description: "A message made of the record's own columns, e.g. a reply held in an \"answer\" column." });

/** `messages`: a thread in each record or file of its own, or messages held in the record's columns. */
const MessagesSectionSchema = z.union([MessagesSchema, z.array(MessageTemplateSchema).min(1, { error: 'must list at least one message' })], {
  error: 'expected a thread {"from": ..., "body": ...} or a list of messages [{"body": "{{answer}}"}]',
});

const LookupSchema = strict({
  key: FieldOrTemplate.meta({ description: 'The column (or path) of the lookup file that the looked-up values name.' }),
  optional: z.boolean().optional().meta({
    description: 'True: a command given no --lookup for it warns and reads every value through it as empty. Default false: a command without the file is refused.',
  }),
  ...FILE_OPTIONS,
}).meta({ description: 'Records found by key in a file given with --lookup <name>=<file> (users by id…).' });

/** The zod schema of a mapping file, the written spec. */
export const MappingSpecSchema = strict({
  $schema: z.string().optional(),
  source: SourceSchema.optional(),
  lookups: z
    .record(z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'must be letters, digits, "_" or "-"' }), LookupSchema)
    .optional()
    .meta({ description: 'Named files of records found by key, read by the "lookup" and "lookup-all" transforms: {"users": {"key": "id"}}.' }),
  conversation: ConversationSchema,
  messages: MessagesSectionSchema.optional(),
}).meta({ title: 'reamaze-import mapping', description: 'How records of an export become Re:amaze conversations.' });

/** A mapping file as written, after validation. */
export type MappingSpec = z.infer<typeof MappingSpecSchema>;
/** One leaf of a mapping. */
export type LeafSpec = z.infer<typeof LeafSchema>;
/** A rule leaf. */
export type RuleSpec = z.infer<typeof RuleSchema>;
/** One transform as written. */
export type TransformSpec = z.infer<typeof TransformSchema>;
/** The `messages` section as a thread (`from` or `join`). */
export type MessagesSpec = z.infer<typeof MessagesSchema>;
/** One message made of a record's own columns. */
export type MessageTemplateSpec = z.infer<typeof MessageTemplateSchema>;
/** The `messages` section, either form. */
export type MessagesSectionSpec = z.infer<typeof MessagesSectionSchema>;
/** An author (`user`, `assignee`) as written. */
export type AuthorSpec = z.infer<typeof AuthorSchema>;
/** The `conversation` section. */
export type ConversationSpec = z.infer<typeof ConversationSchema>;

/** The JSON Schema of mapping files (for editors), generated from the zod schema. */
export function mappingJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(MappingSpecSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lookupUses } from '../../../src/mapping/lookups.js';
import type { Loss } from '../../../src/mapping/losses.js';
import type { CompiledMapping } from '../../../src/mapping/types.js';
import { RecordStage } from '../../../src/stage/record-stage.js';
import { tempDir } from '../../helpers/cli.js';
import { mappingWith } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
const stages: RecordStage[] = [];
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(async () => {
  stages.splice(0).forEach((stage) => stage.close());
  await cleanup();
});

/** The warehouse's tag table: `customer,123` three times over, a ticket without tags left out. */
const TAGS = 'tag,ticket_id\ncustomer,123\ncustomer,123\ncustomer,123\nprospect,123\n,123\nvip,455\ncustomer,455.0\nprospect,455\n';
const USERS = 'id,email\n1,ann@example.com\n2,bob@example.com\n3,\n';

/** Stages `text` as the file of the mapping's lookup `name`, keyed by `key`, as a command does. */
async function attach(mapping: CompiledMapping, name: string, key: string, text: string): Promise<void> {
  const file = join(dir, `${name}.csv`);
  await writeFile(file, text);
  const stage = await RecordStage.load([file], { on: key, source: {} }, () => undefined);
  stages.push(stage);
  mapping.lookups.attach(name, stage);
}

/** A mapping whose tag_list reads `from` through `{"lookup-all": "tags.tag"}`, the tag table attached. */
async function tagMapping(from: Record<string, unknown>): Promise<CompiledMapping> {
  const mapping = mappingWith({ tag_list: { ...from, transform: [{ 'lookup-all': 'tags.tag' }] } }, { lookups: { tags: { key: 'ticket_id' } } });
  await attach(mapping, 'tags', 'ticket_id', TAGS);
  return mapping;
}

/** The conversation's tag_list and the row's losses for one record. */
function tagsOf(mapping: CompiledMapping, fields: Record<string, unknown>): { tags: unknown; losses: Loss[] } {
  const row = mapping.mapRow(fields, undefined);
  return { tags: (row.body.conversation as Record<string, unknown>).tag_list, losses: row.losses };
}

describe('lookup-all: the field of every record with a key', () => {
  it('lists them in file order, each exact duplicate and every empty left out', async () => {
    const mapping = await tagMapping({ from: 'id' });
    expect(tagsOf(mapping, { id: '123' })).toEqual({ tags: ['customer', 'prospect'], losses: [] });
    // Keys compare as join keys: 455.0 is 455.
    expect(tagsOf(mapping, { id: '455' }).tags).toEqual(['vip', 'customer', 'prospect']);
  });

  it('flattens what every key of a list finds into one list, without duplicates', async () => {
    const mapping = await tagMapping({ from: 'ids', split: ',' });
    const withList = mappingWith({ tag_list: { from: 'ids', transform: [{ 'lookup-all': 'tags.tag' }, 'uppercase'] } }, { lookups: { tags: { key: 'ticket_id' } } });
    await attach(withList, 'tags', 'ticket_id', TAGS);
    expect(tagsOf(withList, { ids: ['455', '123', '999'] }).tags).toEqual(['VIP', 'CUSTOMER', 'PROSPECT']);
    // A split comes after the transforms: a text list of keys is looked up as one key.
    expect(tagsOf(mapping, { ids: '455,123' }).tags).toBeUndefined();
  });

  it('gives an empty value for a key without records or an empty key, and counts no loss: a ticket may have no tags', async () => {
    const mapping = await tagMapping({ from: 'id' });
    expect(tagsOf(mapping, { id: '999' })).toEqual({ tags: undefined, losses: [] });
    expect(tagsOf(mapping, { id: '' })).toEqual({ tags: undefined, losses: [] });
    expect(tagsOf(mapping, {})).toEqual({ tags: undefined, losses: [] });
  });

  it('refuses a lookup the mapping does not declare, naming where it is read', () => {
    expect(() => mappingWith({ tag_list: { from: 'id', transform: [{ 'lookup-all': 'labels.tag' }] } }, { lookups: { tags: { key: 'ticket_id' } } }))
      .toThrow(/conversation\.tag_list\.transform\[0\]: lookup "labels" is not declared in "lookups" \(declared: "tags"\)/);
  });
});

describe('lookup_missed: a key the given lookup file does not hold', () => {
  const spec = { from: 'ids', transform: [{ lookup: 'users.email' }] };

  it('is counted for each id of a list, which is kept without it', async () => {
    const mapping = mappingWith({ cc: spec }, { lookups: { users: { key: 'id' } } });
    await attach(mapping, 'users', 'id', USERS);
    const row = mapping.mapRow({ ids: [1, 12345, 2, 777] }, undefined);
    expect((row.body.conversation as { data: Record<string, unknown> }).data.legacy_cc).toBe('ann@example.com, bob@example.com');
    expect(row.losses).toEqual([
      { kind: 'lookup_missed', path: 'conversation.cc', detail: 'users: 12345' },
      { kind: 'lookup_missed', path: 'conversation.cc', detail: 'users: 777' },
    ]);
  });

  it('is counted for a scalar, and a required leaf left empty still fails the row', async () => {
    const mapping = mappingWith({ user: { email: { from: 'uid', transform: [{ lookup: 'users.email' }], required: true } } }, { lookups: { users: { key: 'id' } } });
    await attach(mapping, 'users', 'id', USERS);
    const row = mapping.mapRow({ uid: '12345' }, undefined);
    expect(row.losses).toEqual([{ kind: 'lookup_missed', path: 'conversation.user.email', detail: 'users: 12345' }]);
    expect(row.problems.map((problem) => problem.path)).toEqual(['conversation.user.email']);
  });

  it('is not counted for a key that is there with an empty field, nor for a lookup not given', async () => {
    const given = mappingWith({ subject: spec }, { lookups: { users: { key: 'id' } } });
    await attach(given, 'users', 'id', USERS);
    expect(given.mapRow({ ids: '3' }, undefined).losses).toEqual([]);
    const optional = mappingWith({ subject: spec }, { lookups: { users: { key: 'id', optional: true } } });
    expect(optional.mapRow({ ids: '12345' }, undefined).losses).toEqual([]);
  });
});

describe('lookupUses: the leaves that read each lookup', () => {
  it('names each leaf once, in a rule, its "or", messages and custom field titles', () => {
    const uses = lookupUses({
      lookups: { users: { key: 'id' }, fields: { key: 'id', optional: true }, tags: { key: 'ticket_id' } } as Record<string, { optional?: boolean }>,
      conversation: {
        tag_list: { from: 'id', transform: [{ 'lookup-all': 'tags.tag' }] },
        user: { email: { from: 'a', or: { from: 'b', transform: [{ lookup: 'users.email' }, 'trim', { lookup: 'users.email' }] } } },
        custom_fields: { from: 'custom_fields', title: 'fields.title' },
      },
      messages: { from: 'comments', body: '{{body}}', user: { name: { from: 'author_id', transform: [{ lookup: 'users.name' }] } } },
    });
    expect(Object.fromEntries(uses)).toEqual({
      users: { optional: false, readers: ['conversation.user.email.or', 'messages.user.name'] },
      fields: { optional: true, readers: ['conversation.custom_fields.title'] },
      tags: { optional: false, readers: ['conversation.tag_list'] },
    });
  });
});

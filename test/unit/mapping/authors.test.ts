import { describe, expect, it } from 'vitest';
import { authorProblem, describeAuthor, offlineDirectory, resolveAuthor, staffDirectory, type StaffMember } from '../../../src/mapping/authors.js';

const STAFF: StaffMember[] = [{ email: 'jane@brand.io', name: 'Jane Staff' }, { email: 'importer@brand.io' }];
const REJECTS = '--unmatched-authors reject refuses the ticket';

describe('describeAuthor', () => {
  it('names an author by name and e-mail, else by old id, with the role when known', () => {
    expect(describeAuthor({ role: 'agent', name: ' Jane Roe ', email: ' jane@old.example ' })).toBe('Jane Roe <jane@old.example> (agent)');
    expect(describeAuthor({ email: 'ann@example.com' })).toBe('<ann@example.com>');
    expect(describeAuthor({ name: 'Ann', id: '7' })).toBe('Ann');
    expect(describeAuthor({ id: '42' })).toBe('user 42');
    expect(describeAuthor({ role: 'customer', id: '42' })).toBe('user 42 (customer)');
    expect(describeAuthor({})).toBe('');
    expect(describeAuthor({ role: 'agent', name: '  ' })).toBe('');
  });
});

describe('resolveAuthor with the staff list', () => {
  const directory = staffDirectory(STAFF, new Map(), 'importer@brand.io', 'importer');

  it('sends a customer with an e-mail as themselves, even one whose address is a staff member\'s', () => {
    expect(resolveAuthor({ role: 'customer', email: ' ann@example.com ', name: 'Ann' }, directory)).toEqual({ role: 'customer', user: { email: 'ann@example.com', name: 'Ann' } });
    expect(resolveAuthor({ role: 'customer', email: 'jane@brand.io' }, directory)).toEqual({ role: 'customer', user: { email: 'jane@brand.io' } });
  });

  it('names a customer without an e-mail in a byline and counts them unknown', () => {
    expect(resolveAuthor({ role: 'customer', name: 'Ann', id: '7' }, directory)).toEqual({ role: 'customer', byline: 'Originally written by Ann (customer)', loss: 'author_unknown' });
    expect(resolveAuthor({ role: 'customer', id: '7' }, directory)).toEqual({ role: 'customer', byline: 'Originally written by user 7 (customer)', loss: 'author_unknown' });
  });

  it('sends an agent whose e-mail is staff (any case) as that staff member, keeping the author\'s name', () => {
    expect(resolveAuthor({ role: 'agent', email: ' JANE@Brand.IO ', name: 'Jane Roe' }, directory)).toEqual({ role: 'agent', user: { email: 'jane@brand.io', name: 'Jane Roe' } });
    // Without a name in the export, the staff list's name.
    expect(resolveAuthor({ role: 'agent', email: 'jane@brand.io' }, directory)).toEqual({ role: 'agent', user: { email: 'jane@brand.io', name: 'Jane Staff' } });
  });

  it('finds an agent through the staff map, by old e-mail (any case) or old id', () => {
    const mapped = staffDirectory(STAFF, new Map([['jane@old.example', 'jane@brand.io'], ['42', 'jane@brand.io'], ['gone@old.example', 'gone@brand.io']]), 'importer@brand.io', 'importer');
    expect(resolveAuthor({ role: 'agent', email: 'Jane@Old.Example', name: 'Jane Roe' }, mapped)).toEqual({ role: 'agent', user: { email: 'jane@brand.io', name: 'Jane Roe' } });
    expect(resolveAuthor({ role: 'agent', id: '42' }, mapped)).toEqual({ role: 'agent', user: { email: 'jane@brand.io', name: 'Jane Staff' } });
    expect(resolveAuthor({ role: 'agent', email: 'other@old.example', id: '42' }, mapped)).toEqual({ role: 'agent', user: { email: 'jane@brand.io', name: 'Jane Staff' } });
    // By name, as written (CSV exports often name agents only).
    const named = staffDirectory(STAFF, new Map([['Jane Roe', 'jane@brand.io']]), 'importer@brand.io', 'importer');
    expect(resolveAuthor({ role: 'agent', name: ' Jane Roe ' }, named)).toEqual({ role: 'agent', user: { email: 'jane@brand.io', name: 'Jane Roe' } });
    // A staff map target that is no staff member: not staff, never sent under that address.
    expect(resolveAuthor({ role: 'agent', email: 'gone@old.example', name: 'Gone' }, mapped)).toEqual({
      role: 'agent', byline: 'Originally written by Gone <gone@old.example> (agent)', loss: 'author_not_staff',
    });
  });

  it('sends an agent who is no staff member as nobody, with a byline and author_not_staff', () => {
    expect(resolveAuthor({ role: 'agent', email: 'bob@old.example', name: 'Bob' }, directory)).toEqual({
      role: 'agent', byline: 'Originally written by Bob <bob@old.example> (agent)', loss: 'author_not_staff',
    });
  });

  it('counts an agent without e-mail, or with an old id no staff map names, as unknown', () => {
    expect(resolveAuthor({ role: 'agent', name: 'Bob' }, directory)).toEqual({ role: 'agent', byline: 'Originally written by Bob (agent)', loss: 'author_unknown' });
    expect(resolveAuthor({ role: 'agent', id: '99' }, directory)).toEqual({ role: 'agent', byline: 'Originally written by user 99 (agent)', loss: 'author_unknown' });
  });

  it('without a role, takes a staff e-mail for an agent and any other e-mail for a customer', () => {
    expect(resolveAuthor({ email: 'Jane@Brand.io' }, directory)).toEqual({ role: 'agent', user: { email: 'jane@brand.io', name: 'Jane Staff' } });
    expect(resolveAuthor({ email: 'ann@example.com', name: 'Ann' }, directory)).toEqual({ role: 'customer', user: { email: 'ann@example.com', name: 'Ann' } });
    expect(resolveAuthor({ name: 'Ann' }, directory)).toEqual({ role: 'agent', byline: 'Originally written by Ann', loss: 'author_unknown' });
  });

  it('gives no byline but a loss when nothing is known of the author', () => {
    const resolved = resolveAuthor({}, directory);
    expect(resolved).toEqual({ role: 'agent', loss: 'author_unknown' });
    expect(resolved.byline).toBeUndefined();
    expect(resolved.problem).toBeUndefined();
  });
});

describe('resolveAuthor offline (validate, preview)', () => {
  const directory = offlineDirectory();

  it('sends an agent with an e-mail as written, unchecked; an e-mail without a role as a customer\'s', () => {
    expect(resolveAuthor({ role: 'agent', email: ' Jane@Old.Example ', name: 'Jane' }, directory)).toEqual({ role: 'agent', user: { email: 'Jane@Old.Example', name: 'Jane' }, unchecked: true });
    expect(resolveAuthor({ email: 'Jane@Old.Example' }, directory)).toEqual({ role: 'customer', user: { email: 'Jane@Old.Example' } });
    expect(resolveAuthor({ role: 'customer', email: 'ann@example.com' }, directory)).toEqual({ role: 'customer', user: { email: 'ann@example.com' } });
  });

  it('takes a staff map target for an agent\'s, even without a role', () => {
    const mapped = offlineDirectory(new Map([['jane@old.example', 'jane@brand.io'], ['42', 'bob@brand.io']]));
    expect(resolveAuthor({ email: 'JANE@old.example' }, mapped)).toEqual({ role: 'agent', user: { email: 'jane@brand.io' }, unchecked: true });
    expect(resolveAuthor({ role: 'agent', id: '42', name: 'Bob' }, mapped)).toEqual({ role: 'agent', user: { email: 'bob@brand.io', name: 'Bob' }, unchecked: true });
  });

  it('still counts an agent nobody can name', () => {
    expect(offlineDirectory().importer).toBeUndefined();
    expect(resolveAuthor({ role: 'agent', name: 'Bob' }, directory)).toEqual({ role: 'agent', byline: 'Originally written by Bob (agent)', loss: 'author_unknown' });
  });
});

describe('resolveAuthor with the reject policy', () => {
  const directory = staffDirectory(STAFF, new Map(), 'importer@brand.io', 'reject');

  it('sets a problem beside the same byline and loss', () => {
    expect(resolveAuthor({ role: 'agent', email: 'bob@old.example', name: 'Bob' }, directory)).toEqual({
      role: 'agent',
      byline: 'Originally written by Bob <bob@old.example> (agent)',
      loss: 'author_not_staff',
      problem: `the author Bob <bob@old.example> (agent) is no Re:amaze staff member (add them, or map them with --staff-map); ${REJECTS}`,
    });
    expect(resolveAuthor({ role: 'customer', id: '7' }, directory)).toEqual({
      role: 'customer', byline: 'Originally written by user 7 (customer)', loss: 'author_unknown',
      problem: `the author user 7 (customer) cannot be named (no e-mail); ${REJECTS}`,
    });
    expect(resolveAuthor({}, directory)).toEqual({ role: 'agent', loss: 'author_unknown', problem: `the author of this message cannot be named (no e-mail); ${REJECTS}` });
    expect(resolveAuthor({ email: 'ann@example.com' }, offlineDirectory(new Map(), 'reject'))).toEqual({ role: 'customer', user: { email: 'ann@example.com' } });
  });

  it('leaves resolved authors alone', () => {
    expect(resolveAuthor({ role: 'agent', email: 'jane@brand.io' }, directory).problem).toBeUndefined();
    expect(resolveAuthor({ role: 'customer', email: 'ann@example.com' }, directory).problem).toBeUndefined();
  });

  it('makes a row problem at the message\'s path', () => {
    expect(authorProblem('messages[2].user', 'why')).toEqual({ code: 'ROW_INVALID', path: 'messages[2].user', message: 'why' });
  });
});

import type { RowProblem } from '../errors.js';
import type { LossKind } from './losses.js';

/**
 * Who wrote a message, as the export says: customer or agent, and what is known of them. An agent's
 * message is sent as the matching Re:amaze staff member; a customer's as that customer. Re:amaze
 * takes any e-mail that is not a staff member's for a customer's, so an agent is never sent under
 * an address the staff list does not hold.
 */
export interface MappedAuthor {
  /** From the mapping's `role`; undefined when it maps none (then the staff list decides). */
  role?: 'customer' | 'agent' | undefined;
  email?: string | undefined;
  name?: string | undefined;
  /** The old helpdesk's user id, for the staff map and for naming an author without an e-mail. */
  id?: string | undefined;
}

/** A Re:amaze staff member, as GET /staff lists them. */
export interface StaffMember {
  email: string;
  name?: string | undefined;
}

/** What an agent with no staff match, or an author nobody can name, becomes. */
export type AuthorPolicy = 'importer' | 'reject';

/** The authors' side of the run: the staff list (when read), the staff map, and the policy. */
export interface AuthorDirectory {
  /** The staff member of this e-mail; undefined when none; `unchecked` when the staff list is not known (validate, preview). */
  staff(email: string): StaffMember | undefined | 'unchecked';
  /** The staff map's target for an old e-mail, user id or name (lower-cased e-mails), if any. */
  mapped(author: MappedAuthor): string | undefined;
  /** The e-mail of the token's staff member, when known: it sends what has no other author. */
  readonly importer: string | undefined;
  readonly policy: AuthorPolicy;
}

/** What resolving one author came to. */
export interface ResolvedAuthor {
  /** The `user` to send; undefined: the message goes as the importer (thread message) or as the ticket's customer. */
  user?: StaffMember | undefined;
  /** The resolved role: where a message without a known author goes. */
  role: 'customer' | 'agent';
  /** A line naming the original author, put into the header when the message is not sent as them. */
  byline?: string | undefined;
  loss?: LossKind | undefined;
  /** An agent sent under an address no staff list confirmed yet (validate, preview): `run` checks it. */
  unchecked?: true;
  /** With the `reject` policy: why the ticket is not sent. */
  problem?: string | undefined;
}

/** A directory that knows no staff list: what validate and preview use (agents are `unchecked`). */
export function offlineDirectory(staffMap: ReadonlyMap<string, string> = new Map(), policy: AuthorPolicy = 'importer'): AuthorDirectory {
  return { staff: () => 'unchecked', mapped: (author) => mapTarget(staffMap, author), importer: undefined, policy };
}

/** A directory over the staff list read from the API. */
export function staffDirectory(staff: readonly StaffMember[], staffMap: ReadonlyMap<string, string>, importer: string, policy: AuthorPolicy): AuthorDirectory {
  const byEmail = new Map(staff.map((member) => [member.email.trim().toLowerCase(), member]));
  return { staff: (email) => byEmail.get(email.trim().toLowerCase()), mapped: (author) => mapTarget(staffMap, author), importer, policy };
}

/** The staff map's entry for an author: by old e-mail, else old id, else name (CSV exports often name agents only). */
function mapTarget(staffMap: ReadonlyMap<string, string>, author: MappedAuthor): string | undefined {
  const email = author.email?.trim().toLowerCase();
  if (email) return staffMap.get(email) ?? (author.id ? staffMap.get(author.id.trim()) : undefined);
  // By name only when there is no e-mail: a customer who shares an agent's name keeps their own address.
  return (author.id ? staffMap.get(author.id.trim()) : undefined) ?? (author.name ? staffMap.get(author.name.trim()) : undefined);
}

/** How an author is named: "Jane Roe <jane@old.example> (agent)", "user 42", or '' when nothing is known. */
export function describeAuthor(author: MappedAuthor): string {
  const who = [author.name?.trim(), author.email ? `<${author.email.trim()}>` : undefined].filter(Boolean).join(' ');
  const named = who || (author.id ? `user ${author.id}` : '');
  return named === '' ? '' : `${named}${author.role ? ` (${author.role})` : ''}`;
}

/**
 * Resolves one author: a customer goes as themselves; an agent as their staff member (by e-mail,
 * else by the staff map); without a role, the staff list tells an agent from a customer. An agent
 * with no staff match and an author without an e-mail follow the policy, always with a loss.
 */
export function resolveAuthor(author: MappedAuthor, directory: AuthorDirectory, presumed: 'customer' | 'agent' = 'agent'): ResolvedAuthor {
  const email = author.email?.trim() || undefined;
  const target = directory.mapped(author);
  const member = target !== undefined ? directory.staff(target) : email !== undefined ? directory.staff(email) : undefined;
  const asStaff = (found: StaffMember | 'unchecked', address: string): ResolvedAuthor => ({
    role: 'agent',
    user: found === 'unchecked' ? named(address, author.name) : named(found.email, author.name ?? found.name),
    ...(found === 'unchecked' ? { unchecked: true } : {}),
  });
  // Offline, an e-mail without a role or a staff-map entry is sent as written, as a customer's would be.
  const agentKnown = author.role === 'agent' || target !== undefined || member !== 'unchecked';
  if (author.role !== 'customer' && member !== undefined && agentKnown) return asStaff(member, target ?? email!);
  if (author.role === 'customer' || (author.role === undefined && email !== undefined)) {
    if (email !== undefined) return { role: 'customer', user: named(email, author.name) };
    return unresolved(author, 'customer', 'author_unknown', directory);
  }
  if (email === undefined && target === undefined && author.role === undefined && presumed === 'customer') {
    // A conversation's opening message with nobody named and no role: the customer's, as a
    // ticket's first message is; counted, never a reason to refuse the ticket.
    const { problem: _refused, ...counted } = unresolved(author, 'customer', 'author_unknown', directory);
    return counted;
  }
  return unresolved(author, 'agent', email === undefined && target === undefined ? 'author_unknown' : 'author_not_staff', directory);
}

function named(email: string, name: string | undefined): StaffMember {
  const trimmed = name?.trim();
  return trimmed ? { email, name: trimmed } : { email };
}

function unresolved(author: MappedAuthor, role: 'customer' | 'agent', loss: LossKind, directory: AuthorDirectory): ResolvedAuthor {
  const named = describeAuthor(author);
  // Nothing to name (the mapping maps no author): the loss is counted, the text gets no empty line.
  const byline = named === '' ? undefined : `Originally written by ${named}`;
  if (directory.policy === 'reject') {
    const why = loss === 'author_not_staff' ? 'is no Re:amaze staff member (add them, or map them with --staff-map)' : 'cannot be named (no e-mail)';
    return { role, byline, loss, problem: `the author ${named || 'of this message'} ${why}; --unmatched-authors reject refuses the ticket` };
  }
  return { role, byline, loss };
}

/** The problem of a ticket refused by the `reject` policy, at the message's path. */
export function authorProblem(path: string, message: string): RowProblem {
  return { code: 'ROW_INVALID', path, message };
}

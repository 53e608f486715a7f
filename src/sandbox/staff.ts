import type { HeldStaff, HeldUser } from './types.js';

/** The name the token's own user is listed under, unless `staff` names that e-mail itself. */
export const TOKEN_USER_NAME = 'Importer';

/**
 * The staff members of the account: the token's user first, then the others in the order given.
 * Membership decides a message's author and who may be assigned, as Re:amaze matches e-mails.
 */
export class StaffRoster {
  private members: HeldStaff[] = [];
  private byEmail = new Map<string, HeldStaff>();

  /** `now` is injectable for tests. */
  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Replaces the whole list; everyone gets a fresh created_at, in list order. */
  replace(tokenEmail: string, others: readonly HeldUser[]): void {
    const named = others.find((member) => sameEmail(member.email, tokenEmail));
    const everyone = [{ name: named?.name ?? TOKEN_USER_NAME, email: tokenEmail }, ...others];
    const start = this.now().getTime();
    this.members = [];
    this.byEmail.clear();
    for (const member of everyone) {
      const key = member.email.toLowerCase();
      if (this.byEmail.has(key)) continue;
      // A millisecond apart, so sorting by created_at gives the same order as the list.
      const held = { name: member.name, email: member.email, created_at: new Date(start + this.members.length).toISOString() };
      this.members.push(held);
      this.byEmail.set(key, held);
    }
  }

  /** The staff member with this e-mail (case-insensitive), or undefined. */
  find(email: string): HeldStaff | undefined {
    return this.byEmail.get(email.toLowerCase());
  }

  /** Copies of every member, in creation order. */
  all(): HeldStaff[] {
    return this.members.map((member) => ({ ...member }));
  }
}

/** Whether two e-mails name the same mailbox, as Re:amaze compares them (case-insensitive). */
export function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

import { ImportError } from '../errors.js';
import { staffDirectory, type AuthorDirectory, type AuthorPolicy, type StaffMember } from '../mapping/authors.js';
import { attempt, newBudget, type SendContext } from './attempt.js';
import { reasonOf } from './deliver.js';

/** Pages of GET /staff read at most (30 a page): a brand with more staff is not plausible. */
export const MAX_STAFF_PAGES = 100;

/** How `run` matches authors: the staff map, the policy, and whether the staff list is read. */
export interface AuthorOptions {
  /** Old e-mail (lower case) or old user id → Re:amaze staff e-mail. */
  staffMap: ReadonlyMap<string, string>;
  policy: AuthorPolicy;
  /** The token's staff member (REAMAZE_EMAIL): sends what has no other author. */
  importer: string;
  /** False (`--no-staff-list`): the staff list is not read; the staff map's targets and the importer are taken as staff. */
  readStaff: boolean;
}

/**
 * The run's authors: GET /staff read once, every page, before anything is sent, so every agent is
 * sent as a staff member the list holds. Undefined when the run stopped meanwhile (a signal, bad
 * credentials: the abort is already set). A staff list that cannot be read stops the run.
 */
export async function readAuthors(options: AuthorOptions, context: SendContext, warn: (text: string) => void): Promise<AuthorDirectory | undefined> {
  const trusted = [options.importer, ...new Set(options.staffMap.values())].map((email) => ({ email }));
  const staff = options.readStaff ? await readStaff(context) : trusted;
  if (staff === undefined) return undefined;
  const directory = staffDirectory(options.readStaff ? [{ email: options.importer }, ...staff] : staff, options.staffMap, options.importer, options.policy);
  for (const [from, to] of options.staffMap) {
    if (directory.staff(to) === undefined) warn(`The staff map sends ${from} to ${to}, who is not a Re:amaze staff member: those messages follow --unmatched-authors ${options.policy}.`);
  }
  return directory;
}

/** Every page of GET /staff, each through the attempt loop; undefined when the run stopped. */
async function readStaff(context: SendContext): Promise<StaffMember[] | undefined> {
  const staff: StaffMember[] = [];
  for (let page = 1; page <= MAX_STAFF_PAGES; page++) {
    const read = await attempt({
      request: 'staff',
      send: async () => {
        const answer = await context.client.staffPage(page);
        return 'staff' in answer ? { read: answer } : answer;
      },
    }, context, newBudget());
    if (read.end === 'stopped') return undefined;
    if (read.end !== 'read') throw unreadable(read.end === 'exhausted' ? reasonOf(read.outcome) : 'it answered 404');
    staff.push(...read.value.staff);
    const { size, pageCount } = read.value;
    if (size === 0 || (pageCount !== undefined && page >= pageCount)) return staff;
  }
  return staff;
}

function unreadable(why: string): ImportError {
  return new ImportError(
    'STAFF_UNREADABLE',
    `The staff list cannot be read (GET /staff: ${why}), so agents' messages cannot be matched to Re:amaze staff. Nothing was sent. ` +
      'Check that the token\'s staff member may list staff, or run with --no-staff-list to take only the --staff-map targets as staff.',
  );
}

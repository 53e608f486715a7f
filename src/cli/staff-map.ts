import { readFileSync } from 'node:fs';
import { describeErrno, ImportError } from '../errors.js';
import { offlineDirectory, type AuthorDirectory, type AuthorPolicy } from '../mapping/authors.js';
import { outputPath } from './load.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Reads `--staff-map`: which Re:amaze staff member an agent of the old helpdesk is, by their old
 * e-mail, old user id or name (CSV exports often name agents only), for agents whose address changed. A JSON object `{"old": "new@brand"}`, or
 * lines `old,new@brand` (CSV; a header line and blank lines are skipped). Old e-mails are matched
 * case-insensitively. Every target must be an e-mail: a typo is refused here, with its line.
 */
export function readStaffMap(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new ImportError('FILE_UNREADABLE', `Cannot read the staff map ${path}: ${describeErrno(error)}.`, { file: path });
  }
  const json = /^[[{]/.test(text.trimStart());
  const pairs = json ? jsonPairs(text, path) : lines(text);
  const map = new Map<string, string>();
  for (const [index, { from, to, line }] of pairs.entries()) {
    if (!EMAIL.test(to)) {
      // A header (`old,new`): the first line, no e-mail in its first cell, neither @ nor dot in its second.
      if (!json && index === 0 && !EMAIL.test(from) && !/[@.]/.test(to)) continue;
      throw new ImportError('CONFIG_INVALID', `The staff map ${path}${line ? ` line ${line}` : ''} sends ${JSON.stringify(from)} to ${JSON.stringify(to)}, which is not an e-mail: give the Re:amaze staff member's e-mail.`, { file: path });
    }
    map.set(from.includes('@') ? from.toLowerCase() : from, to.toLowerCase());
  }
  return map;
}

type Pair = { from: string; to: string; line: number | undefined };

function jsonPairs(text: string, path: string): Pair[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ImportError('CONFIG_INVALID', `The staff map ${path} is not valid JSON: ${(error as Error).message}.`, { file: path });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ImportError('CONFIG_INVALID', `The staff map ${path} must be a JSON object {"old e-mail or id": "staff e-mail"}.`, { file: path });
  }
  return Object.entries(parsed).map(([from, to]) => ({ from: from.trim(), to: String(to).trim(), line: undefined }));
}

function lines(text: string): Pair[] {
  const pairs: Pair[] = [];
  text.split(/\r\n|\n|\r/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const [from = '', to = ''] = raw.split(/[,;\t]/).map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
    pairs.push({ from, to, line: index + 1 });
  });
  return pairs;
}

/** `--staff-map` and `--unmatched-authors` as the commands take them. */
export function authorArgs(args: Record<string, unknown>, cwd: string): { staffMap: Map<string, string>; policy: AuthorPolicy } {
  const staffMap = typeof args['staff-map'] === 'string' ? readStaffMap(outputPath(args['staff-map'], cwd)) : new Map<string, string>();
  return { staffMap, policy: args['unmatched-authors'] === 'reject' ? 'reject' : 'importer' };
}

/** The directory of `validate` and `preview`: the staff map and policy, no staff list (nothing is sent). */
export function offlineAuthors(args: Record<string, unknown>, cwd: string): AuthorDirectory {
  const { staffMap, policy } = authorArgs(args, cwd);
  return offlineDirectory(staffMap, policy);
}

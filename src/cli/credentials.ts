import { readFileSync, statSync } from 'node:fs';
import { describeErrno, ImportError } from '../errors.js';
import { registerSecret } from '../redact.js';
import { outputPath } from './load.js';

/** Where the API is and who calls it. */
export interface Credentials {
  baseUrl: string;
  email: string;
  token: string;
}

/**
 * Credentials from the options, else the environment: `--brand`/`REAMAZE_BRAND`,
 * `--email`/`REAMAZE_EMAIL`, `--token-file`/`REAMAZE_API_TOKEN`, `--base-url`/`REAMAZE_BASE_URL`
 * (overrides the brand's `https://{brand}.reamaze.io/api/v1`). The token is never echoed: it is
 * registered as a secret before anything else can name it (a base URL it was pasted into).
 */
export function readCredentials(args: Record<string, unknown>, env: Record<string, string | undefined>, cwd: string): Credentials {
  const brand = text(args.brand) ?? text(env.REAMAZE_BRAND);
  const baseUrl = text(args['base-url']) ?? text(env.REAMAZE_BASE_URL) ?? (brand ? `https://${brand}.reamaze.io/api/v1` : undefined);
  const email = text(args.email) ?? text(env.REAMAZE_EMAIL);
  const token = readToken(args['token-file'], cwd) ?? text(env.REAMAZE_API_TOKEN);
  if (token) registerSecret(token, email);
  const missing = [
    baseUrl ? undefined : 'the brand (REAMAZE_BRAND or --brand)',
    email ? undefined : "the staff member's e-mail (REAMAZE_EMAIL or --email)",
    token ? undefined : 'the API token (REAMAZE_API_TOKEN or --token-file)',
  ].filter(Boolean);
  if (!baseUrl || !email || !token) {
    throw new ImportError('CONFIG_INVALID', `Missing ${missing.join(', ')}: nothing was sent.`);
  }
  return { baseUrl, email, token };
}

/** One staff member's API token (`--credentials`: one a line). */
export interface TokenCredential {
  email: string;
  token: string;
}

/** Where the API is, and every token that may call it (one, or the lines of `--credentials`). */
export interface CredentialSet {
  baseUrl: string;
  tokens: TokenCredential[];
}

/**
 * The tokens of `run`: the lines of `--credentials FILE` (one `email token` a line), else the one
 * of `readCredentials`. `--credentials` with `--email` or `--token-file` is refused: which would
 * win is not obvious; REAMAZE_EMAIL and REAMAZE_API_TOKEN are ignored beside it.
 */
export function readCredentialSet(args: Record<string, unknown>, env: Record<string, string | undefined>, cwd: string): CredentialSet {
  if (args.credentials === undefined) {
    const { baseUrl, email, token } = readCredentials(args, env, cwd);
    return { baseUrl, tokens: [{ email, token }] };
  }
  if (Array.isArray(args.credentials)) throw new ImportError('USAGE', '--credentials is given more than once: give one file, one "email token" a line.');
  const clash = ['email', 'token-file'].find((name) => args[name] !== undefined);
  if (clash) throw new ImportError('USAGE', `--credentials and --${clash} are both given: the file names every token with its e-mail, so give only --credentials.`);
  const tokens = readCredentialsFile(outputPath(String(args.credentials), cwd));
  const brand = text(args.brand) ?? text(env.REAMAZE_BRAND);
  const baseUrl = text(args['base-url']) ?? text(env.REAMAZE_BASE_URL) ?? (brand ? `https://${brand}.reamaze.io/api/v1` : undefined);
  if (!baseUrl) throw new ImportError('CONFIG_INVALID', 'Missing the brand (REAMAZE_BRAND or --brand): nothing was sent.');
  return { baseUrl, tokens };
}

/**
 * The tokens of a credentials file: one `email token` a line (blank lines and `# comments`
 * allowed), readable by its owner only. A line is never echoed in an error: it may hold a token.
 * Every token is registered as a secret before anything can name it.
 */
export function readCredentialsFile(path: string): TokenCredential[] {
  let content: string;
  try {
    // Group or others may read it: a file of every staff member's token is refused until it is private.
    if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
      throw new ImportError('CONFIG_INVALID', `The credentials file ${path} can be read by others than its owner: make it private (chmod 600 ${path}), then run again. Nothing was sent.`);
    }
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw new ImportError('CONFIG_INVALID', `Cannot read the credentials file ${path}: ${describeErrno(error)}.`);
  }
  const tokens: (TokenCredential & { line: number })[] = [];
  for (const [index, raw] of content.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const [email, token] = fields;
    if (token !== undefined && token.length >= 6) registerSecret(token, email);
    if (fields.length !== 2 || email === undefined || token === undefined || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new ImportError('CONFIG_INVALID', `Line ${index + 1} of the credentials file ${path} is not "email token" (a staff login e-mail, a space, its API token): fix that line. Nothing was sent.`);
    }
    const same = tokens.find((known) => known.email.toLowerCase() === email.toLowerCase() || known.token === token);
    if (same) {
      const what = same.token === token ? 'the same token as' : `the e-mail ${email} of`;
      throw new ImportError('CONFIG_INVALID', `Line ${index + 1} of the credentials file ${path} repeats ${what} line ${same.line}: give each staff member's token once. Nothing was sent.`);
    }
    tokens.push({ email, token, line: index + 1 });
  }
  if (tokens.length === 0) throw new ImportError('CONFIG_INVALID', `The credentials file ${path} holds no "email token" line. Nothing was sent.`);
  return tokens.map(({ email, token }) => ({ email, token }));
}

function readToken(file: unknown, cwd: string): string | undefined {
  if (typeof file !== 'string') return undefined;
  try {
    return text(readFileSync(outputPath(file, cwd), 'utf8'));
  } catch (error) {
    // The argument is not echoed: someone may have passed the token itself instead of a file.
    throw new ImportError('CONFIG_INVALID', `Cannot read the file given to --token-file: ${describeErrno(error)}.`);
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

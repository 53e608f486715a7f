import { readFileSync } from 'node:fs';
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

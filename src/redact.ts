/**
 * Secrets never appear in what the importer prints or stores, wherever the text came from (an
 * error naming a bad URL the token was pasted into, an API answer echoing the credentials back).
 * The credentials are registered once they are read; every text that leaves the process or goes
 * into the ledger, a report or a log passes through `redact` first.
 */

/** What stands where a secret was. */
export const REDACTED = '[redacted]';

/** Shorter texts are not treated as secrets: replacing them would garble ordinary words. */
const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();
let pattern: RegExp | undefined;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms a secret travels in: as written, URL-encoded, JSON-escaped. */
function formsOf(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])];
}

/**
 * Registers a secret (the API token), and the Basic auth value made of it and the login e-mail,
 * so that neither is ever printed or stored.
 */
export function registerSecret(secret: string, login?: string): void {
  if (secret.length < MIN_SECRET_LENGTH) return;
  for (const form of formsOf(secret)) secrets.add(form);
  if (login !== undefined) secrets.add(Buffer.from(`${login}:${secret}`).toString('base64'));
  // Longest first, so a secret inside another is not half-replaced
  pattern = new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
}

/** The text with every registered secret replaced by `[redacted]`. */
export function redact(text: string): string {
  return pattern === undefined || text === '' ? text : text.replace(pattern, REDACTED);
}

/** Forgets every secret (for tests running several imports in one process). */
export function forgetSecrets(): void {
  secrets.clear();
  pattern = undefined;
}

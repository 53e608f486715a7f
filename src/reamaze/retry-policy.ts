/**
 * How the importer reads an answer of the API and when it tries again: pure functions of one
 * value, with every default beside its option.
 *
 * Re:amaze has no idempotency key, so a POST is retried blindly only when it is known not to have
 * been processed (429, connection refused, reset before the request was written). An answer lost
 * after the request was written (timeout, reset, 5xx) may or may not have created the
 * conversation: that row becomes `uncertain` and is looked up by its key before any resend.
 */
export interface RetryPolicy {
  /** Requests for one row before it is `failed` (retried by the next run). Default 6. */
  maxAttempts: number;
  /** Time spent on one row before it is `failed`. Default 120 s. */
  maxElapsedMs: number;
  /** First backoff delay; doubles each attempt, with full jitter. Default 500 ms. */
  baseDelayMs: number;
  /** Longest backoff delay (and longest Retry-After honoured). Default 60 s. */
  maxDelayMs: number;
}

/** The defaults of RetryPolicy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, maxElapsedMs: 120_000, baseDelayMs: 500, maxDelayMs: 60_000 };

/** What one HTTP exchange came to. */
export type Outcome =
  | { kind: 'created'; status: number; body: unknown }
  | { kind: 'rejected'; status: number; error: string; body: string }
  | { kind: 'auth'; status: number }
  | { kind: 'not-found'; status: number }
  /** A 3xx: the base URL is not the API (a help-centre domain, http for https); `location` where it points. */
  | { kind: 'redirect'; status: number; location: string | undefined }
  | { kind: 'throttled'; status: 429; retryAfterMs: number | undefined }
  | { kind: 'not-sent'; reason: string }
  | { kind: 'unknown'; reason: string; status?: number }
  /** A 2xx to a read whose answer proves neither presence nor absence (a listing not filtered by the key). */
  | { kind: 'undecidable'; status: number; reason: string };

/** Classifies an HTTP answer (status, Retry-After header, body text, Location header). */
export function classifyResponse(status: number, retryAfter: string | undefined, body: string, now = Date.now(), location?: string): Outcome {
  if (status >= 200 && status < 300) return { kind: 'created', status, body: parseJson(body) };
  if (status === 429) return { kind: 'throttled', status, retryAfterMs: parseRetryAfter(retryAfter, now) };
  // 408: the server gave up waiting for the request, so it did not act on it.
  if (status === 408) return { kind: 'not-sent', reason: 'the server answered 408 (request timeout)' };
  // A redirect means the base URL is not the API (a help-centre domain, http instead of https).
  if (status >= 300 && status < 400) return { kind: 'redirect', status, location };
  if (status === 401 || status === 403) return { kind: 'auth', status };
  if (status === 404) return { kind: 'not-found', status };
  if (status >= 500) return { kind: 'unknown', status, reason: `the server answered ${status}` };
  return { kind: 'rejected', status, error: describeRejection(status, body), body };
}

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The delay before attempt `attempt` (1 = first retry): exponential with full jitter, capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** True while a row may be tried again. */
export function mayRetry(attempts: number, startedAt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, now = Date.now()): boolean {
  return attempts < policy.maxAttempts && now - startedAt < policy.maxElapsedMs;
}

/**
 * The server's reason for refusing a row, readable: `{"errors": {"user.email": ["is invalid"]}}`
 * becomes `user.email is invalid`; `{"error": "msg"}` becomes `msg`; anything else is kept short.
 */
export function describeRejection(status: number, body: string): string {
  const json = parseJson(body) as { errors?: unknown; error?: unknown; message?: unknown } | undefined;
  const parts: string[] = [];
  if (json && typeof json.errors === 'object' && json.errors !== null) {
    for (const [field, reasons] of Object.entries(json.errors as Record<string, unknown>)) {
      const list = Array.isArray(reasons) ? reasons.map(String) : [String(reasons)];
      parts.push(field === 'base' ? list.join(', ') : `${field} ${list.join(', ')}`);
    }
  } else if (json && typeof json.error === 'string') parts.push(json.error);
  else if (json && typeof json.message === 'string') parts.push(json.message);
  const reason = parts.length > 0 ? parts.join('; ') : body.trim().slice(0, 200) || 'no reason given';
  return `the API refused the row (${status}): ${reason}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Bodies above this are refused with 413: far above any real ticket, low enough to protect the process. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The whole request body, or null when it is larger than `limit` (the rest is read and dropped). */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep reading past the limit so a keep-alive socket stays usable for the next request.
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : null));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request closed before its body was read'));
    });
  });
}

/** Writes a JSON answer unless the socket is already gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes an HTML page unless the socket is already gone. */
export function sendHtml(res: ServerResponse, status: number, text: string): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Writes a JSON answer one byte every `intervalMs` (a socket that is never idle for long, an answer
 * that never ends in time); stops when the client goes away or the server closes.
 */
export function dripJson(res: ServerResponse, status: number, body: unknown, intervalMs: number, signal: AbortSignal): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes.length });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || signal.aborted) {
      clearInterval(timer);
      res.destroy();
      return;
    }
    res.write(bytes.subarray(sent, sent + 1));
    sent += 1;
    if (sent >= bytes.length) {
      clearInterval(timer);
      res.end();
    }
  }, intervalMs);
  res.once('close', () => clearInterval(timer));
}

/** The user and password of an HTTP Basic Authorization header, or null. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Constant-time comparison, so the sandbox does not teach bad habits about tokens. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whether an Accept header lists application/json (a wildcard is not enough: Re:amaze asks for it by name). */
export function acceptsJson(header: string | undefined): boolean {
  return (header ?? '')
    .split(',')
    .some((range) => range.split(';')[0]?.trim().toLowerCase() === 'application/json');
}

/** Waits `ms`, or less when the signal aborts (the server is closing). */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

import type { ChosenFault } from './faults.js';
import type { StatsRecorder } from './stats.js';

/** What the server does with a request: answer with JSON, drop the socket, or hold it. */
export type Answer =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string>; retryAt?: number }
  | { kind: 'drop' }
  | { kind: 'hang' }
  /** A 2xx that is not JSON: a maintenance or proxy page. */
  | { kind: 'html'; status: number; text: string }
  /** A JSON answer sent one byte at a time. */
  | { kind: 'drip'; status: number; body: unknown };

/** The page a maintenance window or a captive proxy answers with, status 200. */
export const MAINTENANCE_PAGE = '<!DOCTYPE html><html><head><title>Down for maintenance</title></head><body><h1>We will be back soon</h1></body></html>';

/** A JSON answer. */
export function json(status: number, body: unknown, headers?: Record<string, string>): Answer {
  return headers ? { kind: 'json', status, body, headers } : { kind: 'json', status, body };
}

/** A `{"error": message}` answer, the shape Re:amaze uses for request-level errors. */
export function error(status: number, message: string): Answer {
  return json(status, { error: message });
}

/** What a fault is applied to: its key, and how to create the thing and show it. */
export interface FaultTarget {
  key: string | null;
  target: 'conversation' | 'message';
  okStatus: number;
  create: () => unknown;
}

/**
 * Answers a create request under a fault (or none). '-before' faults and '422' create nothing;
 * '-after' faults create first, so the client cannot know from the answer whether it worked.
 */
export function answerWithFault(fault: ChosenFault | null, request: FaultTarget, stats: StatsRecorder): Answer {
  if (fault === null) return json(request.okStatus, request.create());
  stats.fault({ kind: fault.kind, key: request.key, target: request.target, source: fault.source });
  switch (fault.kind) {
    case '500-before':
      return error(500, 'Internal Server Error');
    case '503-before':
      return error(503, 'Service Unavailable');
    case '422':
      return json(422, { errors: { base: ['scripted rejection'] } });
    case 'drop-before':
      return { kind: 'drop' };
    case '500-after':
      request.create();
      return error(500, 'Internal Server Error');
    case 'drop-after':
      request.create();
      return { kind: 'drop' };
    case 'hang-after':
      request.create();
      return { kind: 'hang' };
    case 'html-before':
      return { kind: 'html', status: 200, text: MAINTENANCE_PAGE };
    case 'html-after':
      request.create();
      return { kind: 'html', status: 200, text: MAINTENANCE_PAGE };
    case 'drip-after':
      return { kind: 'drip', status: request.okStatus, body: request.create() };
    case 'error-200-before':
      return error(200, 'Internal Server Error');
    case 'error-200-after':
      request.create();
      return error(200, 'Internal Server Error');
  }
}

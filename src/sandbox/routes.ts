/** Where a request under /api/v1 goes. */
export interface ApiRoute {
  resource: 'conversations' | 'conversation' | 'messages' | 'staff' | 'unknown';
  slug: string | null;
  /** The path ended in `.json`, which stands in for the Accept header. */
  jsonSuffix: boolean;
}

/** The API prefix every real path starts with. */
export const API_PREFIX = '/api/v1/';

/** Parses a pathname that starts with API_PREFIX. */
export function parseApiRoute(pathname: string): ApiRoute {
  let rest = pathname.slice(API_PREFIX.length);
  const jsonSuffix = rest.endsWith('.json');
  if (jsonSuffix) rest = rest.slice(0, -'.json'.length);
  const parts = rest.split('/');
  if (parts[0] === 'staff' && (parts.length === 1 || (parts.length === 2 && parts[1] === ''))) {
    return { resource: 'staff', slug: null, jsonSuffix };
  }
  if (parts[0] !== 'conversations') return { resource: 'unknown', slug: null, jsonSuffix };
  const slug = parts[1] === undefined || parts[1] === '' ? null : decodeSegment(parts[1]);
  if (parts.length === 1 || (parts.length === 2 && parts[1] === '')) return { resource: 'conversations', slug: null, jsonSuffix };
  if (slug === null) return { resource: 'unknown', slug: null, jsonSuffix };
  if (parts.length === 2) return { resource: 'conversation', slug, jsonSuffix };
  if (parts.length === 3 && parts[2] === 'messages') return { resource: 'messages', slug, jsonSuffix };
  return { resource: 'unknown', slug: null, jsonSuffix };
}

/** The stats label of a request: 'POST /conversations', 'GET /conversations/{slug}/messages', 'GET /staff', 'GET other'. */
export function routeLabel(method: string, pathname: string): string {
  if (!pathname.startsWith(API_PREFIX)) return `${method} other`;
  const path = {
    conversations: '/conversations',
    conversation: '/conversations/{slug}',
    messages: '/conversations/{slug}/messages',
    staff: '/staff',
  };
  const { resource } = parseApiRoute(pathname);
  return resource === 'unknown' ? `${method} other` : `${method} ${path[resource]}`;
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

// Writes a realistic ticket export (generic-csv layout) with multi-line quoted bodies.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const STATUSES = ['open', 'pending', 'solved', 'closed', 'new'];
const TAGS = ['billing', 'shipping', 'returns', 'login', 'refund', 'vip', 'bug', 'feature'];
const WORDS = 'order parcel invoice refund account password login delivery size colour broken missing late please thanks hello'.split(' ');

/**
 * Writes `rows` data rows to `path`; one row in 500 is invalid (bad e-mail or empty body).
 * Keys grow (`T-1`, `T-2`…) like helpdesk ticket ids, or are random UUID-like strings with `randomKeys`.
 */
export async function generateExport(path, rows, { seed = 42, randomKeys = false } = {}) {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const pick = (list) => list[Math.floor(random() * list.length)];
  const sentence = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const out = createWriteStream(path);
  out.write('ticket_id,subject,body,status,tags,name,email,created_at\n');
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const lines = 1 + Math.floor(random() * 4);
    const body = Array.from({ length: lines }, () => `${sentence(8)}, "${pick(WORDS)}".`).join('\n');
    const bad = i % 500 === 0;
    const email = bad && i % 1000 === 0 ? `user${i}@` : `user${i}@example.com`;
    const tags = `${pick(TAGS)}, ${pick(TAGS)}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    const key = randomKeys ? `${Math.floor(random() * 2 ** 32).toString(16)}-${Math.floor(random() * 2 ** 32).toString(16)}-${i}` : `T-${i}`;
    chunk += `${key},${sentence(5)},"${bad && i % 1000 !== 0 ? '' : body.replaceAll('"', '""')}",${pick(STATUSES)},"${tags}",Customer ${i},${email},2024-03-${day} 10:${String(i % 60).padStart(2, '0')}:00\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'close');
}

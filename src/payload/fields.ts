import { z } from 'zod';

/** A string with something other than whitespace in it. */
export const text = (error = 'must be a non-empty string') =>
  z.string({ error }).refine((s) => s.trim() !== '', { error });

/** An email address (zod's own rule: what Re:amaze will most plausibly accept). */
export const email = () => z.email({ error: 'must be an email address' });

/** An http(s) URL Re:amaze can fetch. */
export const httpUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** One of the suppression switches. */
export const flag = () => z.boolean({ error: 'must be true or false' });

/**
 * Custom fields, one level deep: strings, numbers and booleans only. Written as an object with a
 * catchall rather than z.record: the same rule, at a third of the cost per row.
 */
export const flatData = () =>
  z
    .object({}, { error: 'must be an object of strings, numbers and booleans' })
    .catchall(z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' }));

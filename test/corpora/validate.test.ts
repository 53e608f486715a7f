import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from '../helpers/cli.js';
import { CORPORA } from './corpora-path.js';

describe('validate', () => {
  it('validates the real Freshdesk export with the Freshdesk preset', async () => {
    const file = join(CORPORA, 'helpdesk-exports/freshdesk-csv-export-demo-navyadornala/freshdesk_tickets.csv');
    const result = await runCli(['validate', file, '--mapping', 'freshdesk-csv', '--json']);
    const summary = JSON.parse(result.stdout);
    // "OpenPending" is no Freshdesk status: its row is invalid, naming the value, until the map has it
    expect(summary).toMatchObject({ rows: 45, invalid: 1, duplicates: 0, valid: 44 });
    expect(summary.top_errors[0].error).toMatch(/conversation\.status: "openpending" is not in the map/);
    expect(result.code).toBe(1);
  });

  it('gives one clear answer for the real Zendesk export, which has no requester e-mail column', async () => {
    const file = join(CORPORA, 'helpdesk-exports/zendesk-csv-export-plum/DA_Assignment.sample.csv');
    const result = await runCli(['validate', file, '--mapping', 'zendesk-csv']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('conversation.user.email.from: "Requester email"');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

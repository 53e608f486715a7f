import { describe, expect, it } from 'vitest';
import { describeMissingMapping, listPresets } from '../../../src/mapping/presets.js';

const PRESETS = listPresets().join(', ');

describe('a --mapping that names nothing', () => {
  it('is neither a file nor a preset: the nearest preset, then every preset', () => {
    expect(describeMissingMapping('zendsk-csv', '/work/zendsk-csv')).toBe(
      `--mapping zendsk-csv is neither a file nor a bundled preset (did you mean the zendesk-csv preset?): give the path of a mapping file, or one of the presets ${PRESETS}.`,
    );
  });

  it('names the missing path of what looks like a file, and the preset only when one is close', () => {
    expect(describeMissingMapping('./zendesk-cvs.json', '/work/zendesk-cvs.json')).toBe(
      `--mapping ./zendesk-cvs.json is neither a file (there is no /work/zendesk-cvs.json) nor a bundled preset (did you mean the zendesk-csv preset?): give the path of a mapping file, or one of the presets ${PRESETS}.`,
    );
    expect(describeMissingMapping('maps/freshdesk-csv.json', '/work/maps/freshdesk-csv.json')).toContain('(did you mean the freshdesk-csv preset?)');
    expect(describeMissingMapping('./my-export.json', '/work/my-export.json')).toBe(
      `--mapping ./my-export.json is neither a file (there is no /work/my-export.json) nor a bundled preset: give the path of a mapping file, or one of the presets ${PRESETS}.`,
    );
  });
});

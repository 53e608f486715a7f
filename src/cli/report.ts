import { ImportError } from '../errors.js';
import type { CliIO } from './io.js';

/** `report --ledger L --out F`: being built (replaced by the report work). */
export async function runReport(_args: Record<string, unknown>, _io: CliIO): Promise<number> {
  throw new ImportError('USAGE', 'report is not available in this build.');
}

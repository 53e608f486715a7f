import { ImportError } from '../errors.js';
import type { CliIO } from './io.js';

/** `verify --ledger L`: being built (replaced by the verify work). */
export async function runVerify(_args: Record<string, unknown>, _io: CliIO): Promise<number> {
  throw new ImportError('USAGE', 'verify is not available in this build.');
}

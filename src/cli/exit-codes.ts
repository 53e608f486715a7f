// The CLI's exit codes; the table that maps each error code to one is ERROR_CODES in src/errors.ts.
export { ExitCode, exitCodeFor, type ExitCodeValue } from '../errors.js';

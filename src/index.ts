// The public exports of reamaze-import, by name.
export { ImportError, type ErrorCode, type ErrorScope, type RowProblem } from './errors.js';
export { openSource, formatOf } from './source/index.js';
export { openSourceThreaded } from './source/threaded.js';
export type { Source, SourceDialect, SourceFormat, SourceOptions, SourceRecord } from './source/types.js';
export { compileMapping, loadMapping, parseMapping, parseMappingText } from './mapping/compile.js';
export { mappingJsonSchema, type MappingSpec } from './mapping/schema.js';
export { findUnknownColumns } from './mapping/unknown-columns.js';
export { guessMapping, type GuessResult } from './mapping/guess.js';
export { listPresets, resolveMappingPath } from './mapping/presets.js';
export type { CompiledMapping, FieldReference, MappedRow } from './mapping/types.js';
export { validateConversation, validateMessage, type ConversationBody, type MessageBody } from './payload/index.js';
export { validateFiles, type ValidateOptions, type ValidateSummary } from './pipeline/validate.js';
export { previewRows, type PreviewRow } from './pipeline/preview.js';
export { guessMappingForFile } from './pipeline/init.js';
export { main, type CliIO } from './cli/main.js';
export { ExitCode } from './cli/exit-codes.js';

export { compileMapping, loadMapping, parseMapping, parseMappingText, canonicalJson, DEFAULT_KEY_FIELD } from './compile.js';
export { nearestNames } from './nearest.js';
export { findUnknownColumns, type UnknownColumn } from './unknown-columns.js';
export { mappingJsonSchema, MappingSpecSchema, TRANSFORM_NAMES, TRANSFORM_OBJECT_NAMES, type MappingSpec } from './schema.js';
export type { CompiledMapping, FieldReference, MappedRow } from './types.js';

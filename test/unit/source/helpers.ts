import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSource } from '../../../src/source/index.js';
import type { Source, SourceOptions, SourceRecord } from '../../../src/source/types.js';

/** The repository root (…/main), for corpus paths relative to it. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A temp directory per test: write files into it, remove it afterwards. */
export interface TempDir {
  dir: string;
  write(name: string, content: string | Buffer): Promise<string>;
  remove(): Promise<void>;
}

/** Creates a fresh temp directory under the OS temp dir. */
export async function makeTempDir(): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reamaze-source-'));
  return {
    dir,
    async write(name, content) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Opens a file and reads every record. */
export async function readAll(file: string, options: SourceOptions = {}): Promise<{ source: Source; records: SourceRecord[] }> {
  const source = await openSource(file, options);
  const records: SourceRecord[] = [];
  for await (const record of source.records()) records.push(record);
  return { source, records };
}

/** `[line, fields]` pairs, the compact shape most assertions need. */
export function linesAndFields(records: readonly SourceRecord[]): [number, Record<string, unknown>][] {
  return records.map((record) => [record.line, record.fields]);
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<{ code?: string; message: string; scope?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string; scope?: string };
  }
  throw new Error('expected a rejection');
}

/** UTF-16BE bytes of a string (Node only encodes LE, so swap each unit). */
export function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

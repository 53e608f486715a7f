import { open, stat, type FileHandle } from 'node:fs/promises';
import { describeErrno, errnoHint, ImportError, type ErrorCode } from '../errors.js';

/** Bytes read per call; big enough to amortise the syscall, small enough to keep memory flat. */
export const CHUNK_SIZE = 64 * 1024;

/** Builds the one-sentence run error every file-level problem is reported with. */
export function fileError(code: ErrorCode, what: string, why: string, where: string, todo: string, file: string): ImportError {
  return new ImportError(code, `${what}: ${why} (${where}) — ${todo}`, { file });
}

/** Turns an OS error into FILE_UNREADABLE with the OS reason in plain words. */
export function unreadable(file: string, error: unknown): ImportError {
  return fileError('FILE_UNREADABLE', 'cannot read the source file', describeErrno(error), file, errnoHint(error), file);
}

/** A source file opened for positioned reads; every read gets a fresh buffer (parsers keep slices). */
export class SourceFile {
  private furthest = 0;
  private isClosed = false;

  private constructor(
    readonly file: string,
    readonly size: number,
    private readonly handle: FileHandle,
  ) {}

  /** Opens `file`, refusing directories and empty files with a clear message. */
  static async open(file: string): Promise<SourceFile> {
    let handle: FileHandle;
    let size: number;
    try {
      const info = await stat(file);
      // open() succeeds on a directory on Linux; only the first read fails, so ask first
      if (info.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      handle = await open(file, 'r');
      size = info.size;
    } catch (error) {
      throw unreadable(file, error);
    }
    if (size === 0) {
      await handle.close();
      throw fileError('FILE_EMPTY', 'the source file is empty', 'it has no bytes', file, 'export the data again', file);
    }
    return new SourceFile(file, size, handle);
  }

  /** Reads up to `length` bytes at `position`; an empty buffer means end of file (or closed). */
  async readAt(position: number, length = CHUNK_SIZE): Promise<Buffer> {
    if (this.isClosed || position >= this.size) return Buffer.alloc(0);
    const buffer = Buffer.allocUnsafe(length);
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(buffer, 0, length, position));
    } catch (error) {
      if (this.isClosed) return Buffer.alloc(0);
      throw unreadable(this.file, error);
    }
    // The size was taken at open: fewer bytes than it promised means the file shrank under us
    // (overwritten while read), and what follows would be silently missing rows.
    if (bytesRead === 0 && !this.isClosed) {
      throw fileError('FILE_UNREADABLE', 'the source file changed while it was read', `it ended at byte ${position} of ${this.size}`, this.file, 'read a copy that nothing writes to', this.file);
    }
    this.furthest = Math.max(this.furthest, position + bytesRead);
    return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
  }

  /** True once close() was called; reads then return nothing. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The furthest byte offset read so far, for progress (re-reads after a bad row never go back). */
  bytesRead(): number {
    return this.furthest;
  }

  /** Releases the handle; safe to call more than once. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.handle.close();
  }
}

/** A source file with its encoding decided, as openSource hands it to a format reader. */
export interface OpenedFile {
  file: SourceFile;
  /** The WHATWG encoding name. */
  encoding: string;
  /** Bytes of byte-order mark at the start, skipped. */
  bomLength: number;
  /** Warnings so far (e.g. a BOM that overrides source.encoding). */
  warnings: string[];
}

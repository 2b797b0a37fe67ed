// File I/O for the command line: atomic writes (temporary file beside the target, then rename),
// output paths checked before a run starts, and reads that turn every failure into one clear line.
//
// Temporary files are named `.NAME.raftsim-PID-THREAD.tmp` beside their target NAME: recognisable,
// on the same file system as the target (so the rename is atomic), removed when a write fails,
// when the command is interrupted (SIGINT, SIGTERM, a closed stdout), and, after a kill -9 that no
// handler sees, by the next command that writes into the same folder (the PID is no longer alive).
import {
  closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';

/** Bad usage or bad input: the CLI prints the message as one line and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const TEMPORARY_PATTERN = /^\..+\.raftsim-(\d+)-(\d+)\.tmp$/;
/** What raftsim before these names left: `FILE.jsonl.PID.tmp`, `FILE.html.PID.tmp` beside the target. */
const OLD_TEMPORARY_PATTERN = /^[^.].*\.(?:jsonl|html)\.(\d+)\.tmp$/;

/** Temporary files this thread has open: removed by removeTemporaries() on an interruption. */
const live = new Set<string>();

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.raftsim-${process.pid}-${threadId}.tmp`);
}

/** Every temporary file of this process (any thread) in `folder`. */
export function ownTemporaries(folder: string): string[] {
  return temporariesIn(folder).filter((entry) => entry.pid === process.pid).map((entry) => entry.path);
}

function temporariesIn(folder: string): { path: string; pid: number }[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const found: { path: string; pid: number }[] = [];
  for (const name of names) {
    const match = TEMPORARY_PATTERN.exec(name) ?? OLD_TEMPORARY_PATTERN.exec(name);
    if (match !== null) found.push({ path: join(folder, name), pid: Number(match[1]) });
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * mkdir -p, one folder at a time: node's recursive mkdirSync never returns for a path under /proc
 * (it retries the ENOENT of a folder that cannot be made).
 */
export function makeFolder(folder: string): void {
  const missing: string[] = [];
  let current = resolve(folder);
  while (!existsSync(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing.reverse()) mkdirSync(path);
}

/** Removes temporary files left in `folder` by raftsim processes that no longer run (kill -9). */
export function removeStaleTemporaries(folder: string): void {
  for (const entry of temporariesIn(folder)) {
    if (entry.pid !== process.pid && !alive(entry.pid)) rmSync(entry.path, { force: true });
  }
}

/** Removes this thread's open temporary files, and this process's in `folders` (workers share the PID). */
export function removeTemporaries(folders: Iterable<string> = []): void {
  for (const path of live) rmSync(path, { force: true });
  live.clear();
  for (const folder of folders) for (const path of ownTemporaries(folder)) rmSync(path, { force: true });
}

const REASONS: Readonly<Record<string, string>> = {
  EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory', ENOTDIR: 'a part of the path is not a folder', EISDIR: 'is a directory',
  ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', ENAMETOOLONG: 'name too long',
  EEXIST: 'already exists', EIO: 'input/output error', EFBIG: 'file too large', ELOOP: 'too many symbolic links',
};

/** "read-only file system (EROFS)", for a message fit for a user. */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return error instanceof Error ? error.message : String(error);
  return `${REASONS[code] ?? 'error'} (${code})`;
}

/**
 * Checks before a run that `path` can be written: its folder exists or can be made, it is not a
 * folder or a device, and a file can be created beside it. Bad: a UsageError naming `what`.
 */
export function checkOutputPath(path: string, what: string): void {
  if (path === '') throw new UsageError(`${what} needs a file name`);
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new UsageError(`${what} ${path}: ${describeErrno(error)}`);
  }
  if (stats?.isDirectory() === true) throw new UsageError(`${what} ${path}: is a directory, not a file`);
  if (stats !== undefined && !stats.isFile()) throw new UsageError(`${what} ${path}: not a regular file`);
  const folder = dirname(resolve(path));
  try {
    makeFolder(folder);
  } catch (error) {
    throw new UsageError(`${what} ${path}: cannot make its folder ${folder}: ${describeErrno(error)}`);
  }
  removeStaleTemporaries(folder);
  const probe = temporaryPathFor(path);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    throw new UsageError(`${what} ${path}: cannot write there: ${describeErrno(error)}`);
  }
  rmSync(probe, { force: true });
}

/** A temporary file beside `path`, open for writing; commit() renames it into place. */
export class AtomicFile {
  readonly temporary: string;
  private fd: number | null;

  constructor(readonly path: string, readonly what = 'output file') {
    try {
      makeFolder(dirname(path));
      removeStaleTemporaries(dirname(path));
      this.temporary = temporaryPathFor(path);
      this.fd = openSync(this.temporary, 'w');
    } catch (error) {
      throw new UsageError(`cannot write ${what} ${path}: ${describeErrno(error)}`);
    }
    live.add(this.temporary);
  }

  get open(): boolean {
    return this.fd !== null;
  }

  write(text: string): void {
    if (this.fd === null) throw new Error(`${this.what} ${this.path} is already closed`);
    try {
      writeSync(this.fd, text);
    } catch (error) {
      this.abort();
      throw new UsageError(`cannot write ${this.what} ${this.path}: ${describeErrno(error)}`);
    }
  }

  commit(): void {
    if (this.fd === null) throw new Error(`${this.what} ${this.path} is already closed`);
    try {
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.temporary, this.path);
    } catch (error) {
      this.abort();
      throw new UsageError(`cannot write ${this.what} ${this.path}: ${describeErrno(error)}`);
    }
    live.delete(this.temporary);
  }

  /** Closes and removes the temporary file (a failed or abandoned write). */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // Closing is best effort here: the file is removed next.
      }
      this.fd = null;
    }
    rmSync(this.temporary, { force: true });
    live.delete(this.temporary);
  }
}

/** Writes `lines` (each followed by a newline) to `path` atomically, streaming in chunks. */
export function writeLinesAtomic(path: string, lines: Iterable<string>, what = 'output file'): void {
  const file = new AtomicFile(path, what);
  try {
    let chunk: string[] = [];
    let size = 0;
    for (const line of lines) {
      chunk.push(line);
      size += line.length + 1;
      if (size >= 1 << 20) {
        file.write(chunk.join('\n') + '\n');
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length > 0) file.write(chunk.join('\n') + '\n');
  } catch (error) {
    file.abort();
    throw error;
  }
  file.commit();
}

export function readTextFile(path: string, what: string): string {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist`);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${what} ${path}: ${describeErrno(error)}`);
  }
}

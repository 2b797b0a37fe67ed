// A trace written while the run goes (`--trace FILE` on long runs): the same bytes as encodeTrace,
// but no event is kept in memory. Atomic like writeLinesAtomic: a temporary file, renamed at the
// end, so a crash or Ctrl-C never leaves a truncated trace under the final name.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TRACE_FORMAT } from '../../reports/trace-file.ts';
import type { TraceFooter, TraceHeader } from '../../reports/trace-file.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { Hasher } from '../../sim/hash.ts';

/** Bytes buffered before a write: large writes, bounded memory. */
const CHUNK_CHARS = 1 << 20;

export class TraceStreamWriter {
  private readonly temporary: string;
  private fd: number | null;
  private readonly hasher = new Hasher();
  private chunk: string[] = [];
  private chunkChars = 0;
  private count = 0;

  constructor(private readonly path: string, header: TraceHeader) {
    mkdirSync(dirname(path), { recursive: true });
    this.temporary = `${path}.${process.pid}.tmp`;
    this.fd = openSync(this.temporary, 'w');
    this.push(JSON.stringify(header));
  }

  /** A simulation sink: (event, its JSON line). */
  readonly write = (_event: TraceEvent, line: string): void => {
    // A run after finish() (a shrink re-run handed this sink) would pile its lines up here.
    this.openFd();
    this.hasher.update(line);
    this.count++;
    this.push(line);
  };

  /** Writes the footer, closes and renames the file into place. */
  finish(): TraceFooter {
    const footer: TraceFooter = { end: TRACE_FORMAT, events: this.count, hash: this.hasher.digest() };
    this.push(JSON.stringify(footer));
    this.flush();
    closeSync(this.openFd());
    this.fd = null;
    renameSync(this.temporary, this.path);
    return footer;
  }

  /** After a failed run: remove the temporary file. */
  abort(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    rmSync(this.temporary, { force: true });
  }

  private push(line: string): void {
    this.chunk.push(line);
    this.chunkChars += line.length + 1;
    if (this.chunkChars >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    writeSync(this.openFd(), this.chunk.join('\n') + '\n');
    this.chunk = [];
    this.chunkChars = 0;
  }

  private openFd(): number {
    if (this.fd === null) throw new Error(`trace ${this.path} is already closed`);
    return this.fd;
  }
}

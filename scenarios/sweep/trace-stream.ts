// A trace written while the run goes (`--trace FILE` on long runs): the same bytes as encodeTrace,
// but no event is kept in memory. Atomic like writeLinesAtomic: a temporary file beside the trace
// (scenarios/files.ts), renamed at the end, so a crash or Ctrl-C never leaves a truncated trace
// under the final name.
import { TRACE_FORMAT } from '../../reports/trace-file.ts';
import type { TraceFooter, TraceHeader } from '../../reports/trace-file.ts';
import type { TraceEvent } from '../../sim/events.ts';
import { TraceHasher } from '../../sim/hash.ts';
import { AtomicFile } from '../files.ts';

/** Bytes buffered before a write: large writes, bounded memory. */
const CHUNK_CHARS = 1 << 20;

export class TraceStreamWriter {
  private readonly file: AtomicFile;
  /** A failed write (a full disk): every later call throws it again, not "already closed". */
  private failure: unknown = null;
  private readonly hasher = new TraceHasher();
  private chunk: string[] = [];
  private chunkChars = 0;
  private count = 0;

  constructor(private readonly path: string, header: TraceHeader) {
    this.file = new AtomicFile(path, 'trace');
    this.push(JSON.stringify(header));
  }

  /** A simulation sink: (event, its JSON line). */
  readonly write = (event: TraceEvent, line: string): void => {
    // A run after finish() (a shrink re-run handed this sink) would pile its lines up here.
    this.checkOpen();
    this.hasher.event(event);
    this.count++;
    this.push(line);
  };

  /** Writes the footer, closes and renames the file into place. */
  finish(): TraceFooter {
    const footer: TraceFooter = { end: TRACE_FORMAT, events: this.count, hash: this.hasher.digest() };
    this.push(JSON.stringify(footer));
    this.flush();
    this.checkOpen();
    this.file.commit();
    return footer;
  }

  /** After a failed run: remove the temporary file. */
  abort(): void {
    this.file.abort();
  }

  private push(line: string): void {
    this.chunk.push(line);
    this.chunkChars += line.length + 1;
    if (this.chunkChars >= CHUNK_CHARS) this.flush();
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    this.checkOpen();
    try {
      this.file.write(this.chunk.join('\n') + '\n');
    } catch (error) {
      this.failure = error;
      throw error;
    }
    this.chunk = [];
    this.chunkChars = 0;
  }

  private checkOpen(): void {
    if (this.failure !== null) throw this.failure;
    if (!this.file.open) throw new Error(`trace ${this.path} is already closed`);
  }
}

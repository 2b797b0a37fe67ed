// `npm run sim -- merge FILES...`: one summary from the NDJSON results of several shards (or any
// --json sweeps): seeds run, failures with their reproduce commands, "sometimes" counters. Reads
// line by line, so memory stays bounded however large the files are. The exit code is the
// sweep's: 1 if any seed failed, 3 if some were unknown, 0 if all passed.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Io } from '../cli/common.ts';
import { UsageError } from '../files.ts';
import { SweepTally } from './tally.ts';
import type { ResultLine } from './tally.ts';

export const MERGE_USAGE = 'usage: npm run sim -- merge FILE... (NDJSON results of npm run sim -- --seeds A..B --json)';
/** Longest accepted line: a result line is a few kilobytes; anything far longer is not one. */
const LINE_CHARS_MAX = 1 << 20;

export async function merge(files: readonly string[], io: Io): Promise<number> {
  if (files.length === 0 || files.some((file) => file.startsWith('-'))) throw new UsageError(MERGE_USAGE);
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`results file ${file} does not exist`);
  }
  const tally = new SweepTally();
  for (const file of files) await readResults(file, tally);
  io.stdout(`merged ${files.length} file${files.length === 1 ? '' : 's'}: ${tally.coverage()}`);
  io.stdout(tally.verdictLine());
  const details = tally.detailLines();
  if (details.length > 0) io.stdout('failures (reproduce with either command):');
  for (const line of details) io.stdout(`  ${line}`);
  io.stdout('sometimes (how often each scenario really happened):');
  for (const line of tally.sometimesLines()) io.stdout(`  ${line}`);
  return tally.exitCode();
}

async function readResults(file: string, tally: SweepTally): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    if (line.length > LINE_CHARS_MAX) throw new UsageError(`${file}:${lineNumber}: line too long for a sweep result`);
    tally.add(parseResultLine(line, `${file}:${lineNumber}`));
  }
}

export function parseResultLine(line: string, where: string): ResultLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new UsageError(`${where}: not valid JSON (a truncated or corrupted results file?)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${where}: not a sweep result (expected a JSON object)`);
  const record = value as Record<string, unknown>;
  const verdict = record['verdict'];
  if (typeof record['seed'] !== 'string') throw new UsageError(`${where}: not a sweep result (no "seed")`);
  if (verdict !== 'pass' && verdict !== 'fail' && verdict !== 'unknown') throw new UsageError(`${where}: not a sweep result (verdict ${JSON.stringify(verdict)})`);
  return {
    seed: record['seed'], verdict,
    checker: stringOrNull(record['checker']), message: stringOrNull(record['message']),
    trace: stringOrNull(record['trace']), reproduce: stringOrNull(record['reproduce']),
    sometimes: countersOf(record['sometimes']),
  };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function countersOf(value: unknown): Readonly<Record<string, number>> | null {
  if (typeof value !== 'object' || value === null) return null;
  const counters: Record<string, number> = {};
  for (const [name, count] of Object.entries(value)) if (typeof count === 'number' && Number.isFinite(count)) counters[name] = count;
  return counters;
}

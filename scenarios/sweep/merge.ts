// `npm run sim -- merge FILES...`: one summary from the NDJSON results of several shards (or any
// --json sweeps): seeds run, failures with their reproduce commands, "sometimes" counters. Reads
// line by line, so memory stays bounded however large the files are (the seeds seen are kept as
// ranges). The exit code is the sweep's: 1 if any seed failed, 3 if some were unknown, 0 if all
// passed; but 2, with one line naming them, when the input is not one clean sweep: no result in
// any file, a seed in two places (counted once), or seeds missing (a gap between the files, or,
// when --seeds A..B says which range the sweep had, any seed of it that no file has).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Io } from '../cli/common.ts';
import { EXIT } from '../cli/common.ts';
import { parseSeedRange } from '../cli/sim-args.ts';
import type { SeedRange } from '../cli/sim-args.ts';
import { UsageError } from '../files.ts';
import { formatSeedRanges, SeedCoverage, SweepTally } from './tally.ts';
import type { ResultLine } from './tally.ts';

export const MERGE_USAGE = 'usage: npm run sim -- merge [--seeds A..B] FILE... (NDJSON results of npm run sim -- --seeds A..B --json)';
/** Longest accepted line: a result line is a few kilobytes; anything far longer is not one. */
const LINE_CHARS_MAX = 1 << 20;

export async function merge(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') {
    io.stdout(MERGE_USAGE);
    return EXIT.pass;
  }
  let expected: SeedRange | null = null;
  const files: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--seeds' || argument.startsWith('--seeds=')) {
      const value = argument === '--seeds' ? argv[++index] : argument.slice('--seeds='.length);
      if (value === undefined) throw new UsageError(`--seeds needs a range A..B; ${MERGE_USAGE}`);
      expected = parseSeedRange(value);
    } else if (argument.startsWith('-')) throw new UsageError(`unknown flag ${argument}; ${MERGE_USAGE}`);
    else files.push(argument);
  }
  if (files.length === 0) throw new UsageError(`no results file given; ${MERGE_USAGE}`);
  for (const file of files) {
    if (!existsSync(file)) throw new UsageError(`results file ${file} does not exist`);
  }
  const tally = new SweepTally();
  const coverage = new SeedCoverage();
  const empty: string[] = [];
  for (const file of files) {
    if (await readResults(file, tally, coverage) === 0) empty.push(file);
  }
  io.stdout(`merged ${files.length} file${files.length === 1 ? '' : 's'}: ${tally.coverage()}`);
  io.stdout(tally.verdictLine());
  const details = tally.detailLines();
  if (details.length > 0) io.stdout('failures (reproduce with either command):');
  for (const line of details) io.stdout(`  ${line}`);
  io.stdout('sometimes (how often each scenario really happened):');
  for (const line of tally.sometimesLines()) io.stdout(`  ${line}`);
  const problems: string[] = [];
  // An empty shard is normal when there are more shards than seeds; no result at all is not.
  if (empty.length === files.length) problems.push(`no results in ${empty.join(', ')}`);
  const gaps = coverage.gaps(expected);
  if (gaps.length > 0) problems.push(`seeds missing: ${formatSeedRanges(gaps)}`);
  if (coverage.repeats.length > 0) {
    problems.push(`seeds given twice (counted once): ${formatSeedRanges(coverage.repeats)} in ${[...new Set(coverage.repeats.map((repeat) => repeat.where))].join(', ')}`);
  }
  const outside = expected === null ? [] : coverage.outside(expected);
  if (outside.length > 0) problems.push(`seeds outside --seeds ${expected?.first}..${expected?.last}: ${formatSeedRanges(outside)}`);
  if (problems.length > 0) throw new UsageError(`merge: not one complete sweep: ${problems.join('; ')}`);
  return tally.exitCode();
}

/** Adds the file's results to the tally (a seed already seen is skipped); returns how many it had. */
async function readResults(file: string, tally: SweepTally, coverage: SeedCoverage): Promise<number> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let results = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    if (line.length > LINE_CHARS_MAX) throw new UsageError(`${file}:${lineNumber}: line too long for a sweep result`);
    const result = parseResultLine(line, `${file}:${lineNumber}`);
    results++;
    if (coverage.add(result.seed, file)) tally.add(result);
  }
  return results;
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

// The flags of `npm run sim`, parsed and checked: every bad flag or value is a UsageError with one
// clear line.
import { parseArgs } from 'node:util';
import { isBugId, BUG_IDS } from '../../core/index.ts';
import type { BugId } from '../../core/index.ts';
import { isPresetName, PRESET_NAMES } from '../../sim/options.ts';
import type { PresetName } from '../../sim/options.ts';
import { parseSeed } from '../../sim/random.ts';
import { UsageError } from '../files.ts';
import { parseShard } from '../sweep/shard.ts';
import type { Shard } from '../sweep/shard.ts';
import { findScenario, SCENARIO_SEED, SCENARIOS } from '../named/index.ts';

export interface SeedRange {
  readonly first: number;
  readonly last: number;
}

export interface SimArguments {
  readonly seedText: string;
  readonly seeds: SeedRange | null;
  readonly nodes: number | null;
  readonly clients: number | null;
  readonly durationMs: number | null;
  /** A JSON file with an explicit fault schedule, used instead of the one drawn from the seed. */
  readonly schedule: string | null;
  readonly preset: PresetName | null;
  readonly bugs: readonly BugId[];
  readonly json: boolean;
  readonly trace: string | null;
  readonly historyOut: string | null;
  readonly replay: string | null;
  readonly listBugs: boolean;
  /** Worker threads of a sweep (1: in this thread). */
  readonly jobs: number;
  /** `--shard i/n`: this run's slice of the --seeds range. */
  readonly shard: Shard | null;
  /** A named scenario (scenarios/named) instead of a generated run; null for none. */
  readonly scenario: string | null;
  /** List the named scenarios with their purposes. */
  readonly list: boolean;
  readonly help: boolean;
  /** `--impl MODULE`: another Raft implementation (`builtin` for raftsim's own core); null: package.json's raftsim.impl, else the built-in core. */
  readonly impl: string | null;
  /** `--reference MODULE|builtin`: the correct side a failure of --impl shrinks against; null: none (a mutant of the built-in core shrinks against the correct core). */
  readonly reference: string | null;
  /** `--search`: the guided search (scenarios/search.ts) with the --seeds range's size as its budget of runs. */
  readonly search: boolean;
}

export const SIM_USAGE = `usage: npm run sim -- [--seed S | --seeds A..B] [--nodes N] [--clients N] [--time 90s] [--schedule FILE]
                    [--preset ${PRESET_NAMES.join('|')}] [--bug ID]... [--json]
                    [--trace FILE] [--history-out FILE] [--replay FILE] [--list-bugs]
                    [--jobs N] [--shard i/n] (with --seeds) [--impl MODULE|builtin] [--reference MODULE|builtin]
                    [--search] (with --seeds: a guided search of that many runs)
                    [--scenario NAME [--seed S] [--bug ID]...] [--list]
       npm run sim -- --suite conformance [--impl MODULE] [--test NAME]... [--seeds N|A..B]  (lab-style tests; --suite conformance --help)
       npm run sim -- merge FILE...  (combines the NDJSON results of --json sweeps)`;

const OPTIONS = {
  seed: { type: 'string' },
  seeds: { type: 'string' },
  nodes: { type: 'string' },
  clients: { type: 'string' },
  time: { type: 'string' },
  schedule: { type: 'string' },
  preset: { type: 'string' },
  bug: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  trace: { type: 'string' },
  'history-out': { type: 'string' },
  replay: { type: 'string' },
  'list-bugs': { type: 'boolean' },
  jobs: { type: 'string' },
  shard: { type: 'string' },
  scenario: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  impl: { type: 'string' },
  reference: { type: 'string' },
  search: { type: 'boolean' },
} as const;

/**
 * `--seed -5`: node's parseArgs takes "-5" for a flag and calls the value ambiguous. A value that
 * looks like a negative number (or a negative duration) goes with the flag before it.
 */
export function joinNegativeValues(argv: readonly string[], options: Readonly<Record<string, { readonly type: string }>>): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const next = argv[index + 1];
    const name = argument.startsWith('--') ? argument.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && /^-[0-9.]/.test(next)) {
      joined.push(`${argument}=${next}`);
      index++;
    } else joined.push(argument);
  }
  return joined;
}

/** Flags a replay cannot use: the trace's header decides the whole run. */
const REPLAY_CLASHES = ['schedule', 'preset', 'nodes', 'clients', 'time', 'bug', 'trace', 'history-out'] as const;

export function parseSimArguments(argv: readonly string[]): SimArguments {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, OPTIONS), options: OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    const ambiguous = /^Option '(--[\w-]+)[^']*' argument is ambiguous/.exec(message);
    if (ambiguous !== null) throw new UsageError(`${ambiguous[1] ?? 'the flag'} needs a value (see npm run sim -- --help)`);
    throw new UsageError(`${message.replace(/\. To specify.*$/, '')} (see npm run sim -- --help)`);
  }
  const v = parsed.values;
  if (v.seed !== undefined && v.seeds !== undefined) throw new UsageError('--seed and --seeds cannot be used together');
  if (v.replay !== undefined && (v.seed !== undefined || v.seeds !== undefined)) {
    throw new UsageError('--replay takes its seed from the trace; drop --seed/--seeds');
  }
  if (v.replay !== undefined) {
    const clashing = REPLAY_CLASHES.filter((flag) => v[flag] !== undefined);
    if (clashing.length > 0) {
      throw new UsageError(`--replay re-runs the trace exactly as its header says; drop ${clashing.map((flag) => `--${flag}`).join(', ')}`);
    }
  }
  if (v.seeds !== undefined && (v.trace !== undefined || v['history-out'] !== undefined)) {
    throw new UsageError('--trace and --history-out write one run; a sweep saves each failing seed under reports/runs');
  }
  if (v.scenario !== undefined) checkScenario(v.scenario, v);
  // A scenario's default seed is the one its golden trace was recorded with.
  const seedText = v.seed ?? (v.scenario !== undefined ? String(SCENARIO_SEED) : '42');
  checkSeed(seedText, '--seed');
  if (v.impl !== undefined && v.impl.trim() === '') throw new UsageError('--impl needs a module path (or builtin)');
  if ((v.jobs !== undefined || v.shard !== undefined) && v.seeds === undefined) throw new UsageError('--jobs and --shard split a sweep: add --seeds A..B');
  if (v.reference !== undefined && v.reference.trim() === '') throw new UsageError('--reference needs a module path (or builtin)');
  if (v.search === true) checkSearch(v);
  return {
    seedText,
    seeds: v.seeds === undefined ? null : parseSeedRange(v.seeds),
    nodes: v.nodes === undefined ? null : parseInteger(v.nodes, '--nodes', 1, 9),
    clients: v.clients === undefined ? null : parseInteger(v.clients, '--clients', 0, 64),
    durationMs: v.time === undefined ? null : parseDuration(v.time, '--time'),
    schedule: v.schedule ?? null,
    preset: v.preset === undefined ? null : parsePreset(v.preset),
    bugs: (v.bug ?? []).map(parseBug),
    json: v.json ?? false,
    trace: v.trace ?? null,
    historyOut: v['history-out'] ?? null,
    replay: v.replay ?? null,
    listBugs: v['list-bugs'] ?? false,
    jobs: v.jobs === undefined ? 1 : parseInteger(v.jobs, '--jobs', 1, 256),
    shard: v.shard === undefined ? null : parseShard(v.shard),
    scenario: v.scenario ?? null,
    list: v.list ?? false,
    help: v.help ?? false,
    impl: v.impl ?? null,
    reference: v.reference ?? null,
    search: v.search ?? false,
  };
}

/** `--search` runs a budget of runs in this thread: it needs --seeds and takes no flag that splits or replaces the runs. */
function checkSearch(values: Readonly<Record<string, unknown>>): void {
  if (values['seeds'] === undefined) throw new UsageError('--search needs --seeds A..B (its first seed and its budget of runs)');
  const clashing = ['jobs', 'shard', 'schedule', 'scenario', 'replay'].filter((flag) => values[flag] !== undefined);
  if (clashing.length > 0) throw new UsageError(`--search chooses its own runs; drop ${clashing.map((flag) => `--${flag}`).join(', ')}`);
}

function checkScenario(name: string, values: Readonly<Record<string, unknown>>): void {
  if (findScenario(name) === null) {
    throw new UsageError(`unknown scenario "${name}"; valid: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`);
  }
  const clashing = ['seeds', 'replay', 'preset', 'nodes', 'clients', 'time'].filter((flag) => values[flag] !== undefined);
  if (clashing.length > 0) {
    throw new UsageError(`--scenario sets its own cluster and schedule; drop ${clashing.map((flag) => `--${flag}`).join(', ')}`);
  }
}

function checkSeed(text: string, flag: string): void {
  try {
    parseSeed(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function parseInteger(text: string, flag: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${flag} must be an integer, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${flag} must be in ${min}..${max}, got ${value}`);
  return value;
}

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90s", "1.5m", "500ms", "2h": a simulated duration with a unit, in milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (match === null) throw new UsageError(`${flag} must be a duration with a unit (500ms, 90s, 5m, 1h), got "${text}"`);
  const ms = Math.round(Number(match[1]) * (UNITS_MS[match[2] as string] as number));
  if (ms < 1000 || ms > 24 * 3_600_000) throw new UsageError(`${flag} must be between 1s and 24h, got "${text}"`);
  return ms;
}

/** "A..B" (inclusive), integers, at most 100 million seeds. */
export function parseSeedRange(text: string): SeedRange {
  const match = /^(-?\d+)\.\.(-?\d+)$/.exec(text.trim());
  if (match === null) throw new UsageError(`--seeds must look like A..B (for example 1..1000), got "${text}"`);
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) throw new UsageError(`--seeds bounds must be safe integers, got "${text}"`);
  if (last < first) throw new UsageError(`--seeds must go up: ${first}..${last} is empty`);
  if (last - first >= 100_000_000) throw new UsageError('--seeds covers more than 100,000,000 seeds; split it with --shard');
  return { first, last };
}

function parsePreset(text: string): PresetName {
  if (!isPresetName(text)) throw new UsageError(`unknown preset "${text}"; valid: ${PRESET_NAMES.join(', ')}`);
  return text;
}

function parseBug(text: string): BugId {
  if (!isBugId(text)) throw new UsageError(`unknown bug id "${text}"; npm run sim -- --list-bugs lists the ${BUG_IDS.length} ids`);
  return text;
}

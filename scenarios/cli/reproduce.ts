// The command that re-runs a run from scratch, with every option that differs from the defaults:
// from the command line's own arguments (a run, a sweep's seeds), or inferred from a trace header
// (the HTML report, which has only the trace). Also the digest that names saved traces.
import { isDeepStrictEqual } from 'node:util';
import type { TraceHeader } from '../../reports/trace-file.ts';
import { Hasher } from '../../sim/hash.ts';
import { PRESET_NAMES } from '../../sim/options.ts';
import { parseSeed } from '../../sim/random.ts';
import type { OptionsOverride, PresetName } from '../../sim/options.ts';
import { optionsForSeed, specForSeed } from '../spec.ts';
import { activeImplementation, capabilitiesOf, capabilityOverride } from '../impl.ts';
import type { SimArguments } from './sim-args.ts';

/** "8s", "90s", "5m", "1500ms": a duration as --time takes it. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A word for a POSIX shell: as is when it is safe, else in single quotes. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Splits a command this module wrote back into its words (single quotes only). */
export function shellWords(command: string): string[] {
  const words: string[] = [];
  const pattern = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (const match of command.matchAll(pattern)) words.push(match[1] !== undefined ? match[1].replace(/'\\''/g, "'") : (match[2] as string));
  return words;
}

const SIM = 'npm run sim --';

/** `npm run sim -- --seed S ...` with every flag of `args` that shapes the run. */
export function reproduceFromArgs(seedText: string, args: SimArguments): string {
  if (args.scenario !== null) {
    return [SIM, '--scenario', args.scenario, '--seed', seedText, ...args.bugs.flatMap((bug) => ['--bug', bug])].map(shellWord).join(' ');
  }
  const flags = ['--seed', seedText];
  const module = activeImplementation().info.module;
  if (module !== null) flags.push('--impl', module);
  if (args.preset !== null) flags.push('--preset', args.preset);
  if (args.nodes !== null) flags.push('--nodes', String(args.nodes));
  if (args.clients !== null) flags.push('--clients', String(args.clients));
  if (args.durationMs !== null) flags.push('--time', formatDuration(args.durationMs));
  if (args.schedule !== null) flags.push('--schedule', args.schedule);
  for (const bug of args.bugs) flags.push('--bug', bug);
  return `${SIM} ${flags.map(shellWord).join(' ')}`;
}

/**
 * The same command inferred from a trace header: the preset (or swarm mode) and the overrides
 * that give the header's options, and `--schedule TRACE` when the schedule is not the seed's own
 * (a shrunk or hand-written one: --schedule reads the schedule of a trace header). Null when no
 * command line gives these options (a hand-edited header); --replay still does.
 */
export function reproduceFromHeader(header: TraceHeader, source: string): string | null {
  if (header.scenario !== null) {
    return [SIM, '--scenario', header.scenario, '--seed', header.seed, ...header.bugs.flatMap((bug) => ['--bug', bug])].map(shellWord).join(' ');
  }
  const wanted = header.options;
  // Another implementation's runs had what it did not declare switched off, as --impl does again.
  const declared = capabilityOverride(capabilitiesOf(header.impl)).override;
  for (const preset of [null, ...PRESET_NAMES] as (PresetName | null)[]) {
    let base;
    try {
      base = optionsForSeed(parseSeed(header.seed), preset, declared);
    } catch {
      return null;
    }
    const override: { -readonly [K in keyof OptionsOverride]: OptionsOverride[K] } = { ...declared };
    if (wanted.nodes !== base.nodes) override.nodes = wanted.nodes;
    if (wanted.clients !== base.clients) override.clients = wanted.clients;
    if (wanted.durationMs !== base.durationMs) override.durationMs = wanted.durationMs;
    if (!isDeepStrictEqual(optionsForSeed(parseSeed(header.seed), preset, override), wanted)) continue;
    const flags = ['--seed', header.seed];
    if (header.impl !== undefined) flags.push('--impl', header.impl.module);
    if (preset !== null) flags.push('--preset', preset);
    if (override.nodes !== undefined) flags.push('--nodes', String(override.nodes));
    if (override.clients !== undefined) flags.push('--clients', String(override.clients));
    if (override.durationMs !== undefined) flags.push('--time', formatDuration(override.durationMs));
    const own = specForSeed(header.seed, { preset, override, bugs: header.bugs, record: false }).schedule;
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(own)), JSON.parse(JSON.stringify(header.schedule)))) flags.push('--schedule', source);
    for (const bug of header.bugs) flags.push('--bug', bug);
    return `${SIM} ${flags.map(shellWord).join(' ')}`;
  }
  return null;
}

/** Eight hex digits over everything that decides a run: a saved trace's name carries them. */
export function specDigest(header: TraceHeader): string {
  const hasher = new Hasher();
  // The built-in core's traces keep the names they had before implementations were recorded.
  const parts: unknown[] = [header.seed, header.scenario, header.options, header.schedule, header.bugs];
  if (header.impl !== undefined) parts.push(header.impl.digest);
  hasher.update(JSON.stringify(parts));
  return hasher.digest();
}

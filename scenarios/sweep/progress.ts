// Progress of a sweep on stderr: a line every `everySeeds` seeds or `everyMs` of wall time,
// whichever comes first, with the rate and the time left.
import type { Io } from '../cli/common.ts';
import type { SweepTally } from './tally.ts';

export class Progress {
  private readonly started: bigint;
  private lastPrintMs = 0;
  private lastPrintSeeds = 0;

  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly everySeeds = 50,
    private readonly everyMs = 10_000,
  ) {
    this.started = process.hrtime.bigint();
  }

  elapsedMs(): number {
    return Number(process.hrtime.bigint() - this.started) / 1e6;
  }

  update(tally: SweepTally): void {
    const elapsedMs = this.elapsedMs();
    const due = tally.seeds - this.lastPrintSeeds >= this.everySeeds || elapsedMs - this.lastPrintMs >= this.everyMs;
    if (!due && tally.seeds !== this.total) return;
    this.lastPrintMs = elapsedMs;
    this.lastPrintSeeds = tally.seeds;
    const rate = tally.seeds / Math.max(elapsedMs / 1000, 1e-3);
    const left = rate > 0 ? (this.total - tally.seeds) / rate : 0;
    this.io.stderr(`progress ${tally.seeds}/${this.total} seeds, ${tally.failed} failed, ${tally.unknown} unknown, `
      + `${rate.toFixed(1)} seeds/s, ${formatSeconds(left)} left`);
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

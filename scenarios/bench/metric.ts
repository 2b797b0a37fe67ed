/** One benchmark figure, printed as a table row or as an NDJSON line with --json. */
export interface Metric {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

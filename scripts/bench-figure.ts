// How a benchmark hands a figure to the summary table `npm run bench` prints at the end
// (scripts/bench.mjs): one line `::figure:: {json}` on stdout per figure, next to the bench's own
// readable output. Run alone, a bench prints the same lines; they read as JSON.

/** One measured figure with its same-run baseline and its goal. */
export interface BenchFigure {
  /** What was measured, e.g. "emulator: ingest on a 10 M-event database". */
  readonly name: string;
  /** The figure, with units. */
  readonly value: string;
  /** The same-run baseline it is compared with ("—" when there is none). */
  readonly baseline: string;
  /** The goal, e.g. "≥ 90 % of empty" ("—" when the figure is reported only). */
  readonly goal: string;
  /** Whether the goal was met; null when there is no goal. */
  readonly met: boolean | null;
}

export const FIGURE_PREFIX = '::figure:: ';

export function reportFigure(figure: BenchFigure): void {
  process.stdout.write(`${FIGURE_PREFIX}${JSON.stringify(figure)}\n`);
}

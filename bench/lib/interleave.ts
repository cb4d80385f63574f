import { median } from '../report.js';

/**
 * Times async subjects side by side: `slices` times over, each subject runs `calls` calls in a
 * row (the order rotating each slice, so none always follows the same one), and its figure is
 * the median of its per-slice means, in µs per call. A burst on the shared machine spoils a
 * slice or two of every subject alike instead of one subject's whole figure.
 */
export async function interleavedMicros(
  subjects: Record<string, () => Promise<unknown>>,
  options: { slices?: number; calls?: number } = {},
): Promise<Record<string, number>> {
  const { slices = 25, calls = 200 } = options;
  const names = Object.keys(subjects);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let s = 0; s < slices; s++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(s + k) % names.length]!;
      const run = subjects[name]!;
      const started = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) await run();
      samples[name]!.push(Number(process.hrtime.bigint() - started) / 1000 / calls);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n]!)]));
}

/**
 * What `npm run bench` writes (bench/results/<node>.json) and how it reads as a table, in the
 * terminal and in the README's Speed section. Pure functions of the JSON: the unit test
 * renders a fixed report.
 */
import type { BenchRow } from './row.js';

/** One row's figures over every round. */
export interface RowResult {
  readonly id: string;
  readonly what: string;
  readonly unit: BenchRow['unit'];
  readonly better: BenchRow['better'];
  readonly subject: string;
  readonly peer: string;
  readonly goal: BenchRow['goal'];
  readonly note?: string;
  /** Every subject's value per round (subject, peer and any extra such as a raw baseline). */
  readonly values: Readonly<Record<string, readonly number[]>>;
  /** faasport / peer, per round. */
  readonly ratios: readonly number[];
}

/** One run of the suite on one Node, on one machine. */
export interface BenchReport {
  readonly date: string;
  readonly node: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly os: string;
    /** The 1-minute load average when the run started and when it ended: how shared the machine was. */
    readonly load?: readonly [number, number];
  };
  readonly rounds: number;
  readonly seconds: number;
  readonly rows: readonly RowResult[];
}

/** Whether a row met its goal, on the medians, and by how much it missed. */
export interface Verdict {
  readonly met: boolean;
  readonly medianRatio: number;
  /** "met", or how far from the goal: "missed: 0.52 vs ≤ 0.33 (1.6x over)". */
  readonly text: string;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function verdict(row: RowResult): Verdict {
  const medianRatio = median(row.ratios);
  const lower = row.better === 'lower';
  if (row.goal.absolute !== undefined) {
    const mine = median(row.values[row.subject] ?? []);
    const met = lower ? mine <= row.goal.absolute : mine >= row.goal.absolute;
    const by = lower ? mine / row.goal.absolute : row.goal.absolute / mine;
    return {
      met,
      medianRatio,
      text: met
        ? 'met'
        : `missed: ${figure(mine)} ${row.unit} vs ${lower ? '≤' : '≥'} ${figure(row.goal.absolute)} ${row.unit} (${by.toFixed(1)}x ${lower ? 'over' : 'under'})`,
    };
  }
  const met = lower ? medianRatio <= row.goal.ratio : medianRatio >= row.goal.ratio;
  const by = lower ? medianRatio / row.goal.ratio : row.goal.ratio / medianRatio;
  // A miss by less than the last digit shown is shown with one digit more (0.334 vs ≤ 0.33).
  const digits = medianRatio.toFixed(2) === row.goal.ratio.toFixed(2) ? 3 : 2;
  const factor = by.toFixed(1) === '1.0' ? by.toFixed(2) : by.toFixed(1);
  return {
    met,
    medianRatio,
    text: met ? 'met' : `missed: ${medianRatio.toFixed(digits)} vs ${lower ? '≤' : '≥'} ${row.goal.ratio} (${factor}x ${lower ? 'over' : 'under'})`,
  };
}

/** Three significant figures, without trailing noise: 0.123, 12.3, 1234. */
export function figure(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toString();
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** "a–b unit", or one value when every round gave the same. */
export function range(values: readonly number[], unit: string): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return figure(lo) === figure(hi) ? `${figure(lo)} ${unit}` : `${figure(lo)}–${figure(hi)} ${unit}`;
}

/** The table as Markdown: what, faasport range, peer range, median ratio, goal, met or missed. */
export function markdownTable(report: BenchReport): string {
  const lines = ['| what | faasport | peer | median ratio | goal | result |', '|---|---|---|---|---|---|'];
  for (const row of report.rows) {
    const v = verdict(row);
    const mine = `${row.subject}: ${range(row.values[row.subject] ?? [], row.unit)}`;
    const theirs = `${row.peer}: ${range(row.values[row.peer] ?? [], row.unit)}`;
    lines.push(`| ${row.what} | ${mine} | ${theirs} | ${v.medianRatio.toFixed(2)} | ${row.goal.text} | ${v.met ? '**met**' : v.text} |`);
  }
  return lines.join('\n');
}

/** Where each missed goal's time goes, from the rows' notes. */
export function missedNotes(report: BenchReport): string[] {
  return report.rows.filter((r) => r.note && !verdict(r).met).map((r) => `- **${r.id}** (${verdict(r).text}): ${r.note}`);
}

/** The figures as plain text columns for the terminal. */
export function textTable(report: BenchReport): string {
  const cells = report.rows.map((row) => {
    const v = verdict(row);
    return [
      row.id,
      range(row.values[row.subject] ?? [], row.unit),
      range(row.values[row.peer] ?? [], row.unit),
      v.medianRatio.toFixed(2),
      row.goal.text,
      v.met ? 'met' : v.text,
    ];
  });
  const head = ['row', 'faasport', 'peer', 'ratio', 'goal', 'result'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export const README_START = '<!-- bench:start (generated by npm run bench -- --readme README.md; do not edit by hand) -->';
export const README_END = '<!-- bench:end -->';

/** The generated part of the README's Speed section, one block per report (one per Node). */
export function readmeSection(reports: readonly BenchReport[]): string {
  const parts: string[] = [];
  for (const report of reports) {
    const met = report.rows.filter((r) => verdict(r).met).length;
    parts.push(
      `**Node ${report.node.replace(/^v/, '')}**, ${report.date.slice(0, 10)}, ${report.machine.cpu} (${report.machine.cores} cores, ${report.machine.os}` +
        `${report.machine.load ? `, load average ${report.machine.load.map((l) => l.toFixed(1)).join(' → ')}` : ''}), ` +
        `${report.rounds} rounds, ${Math.round(report.seconds)} s: ${met} of ${report.rows.length} goals met.`,
      '',
      markdownTable(report),
    );
    const notes = missedNotes(report);
    if (notes.length > 0) parts.push('', 'Missed, and where the time goes:', '', ...notes);
    parts.push('');
  }
  return parts.join('\n').trimEnd();
}

/** The README with the text between the bench markers replaced; the markers must be there. */
export function rewriteReadme(readme: string, reports: readonly BenchReport[]): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`npm run bench --readme: the README has no bench markers; put\n${README_START}\n${README_END}\nin its Speed section`);
  }
  return `${readme.slice(0, start + README_START.length)}\n${readmeSection(reports)}\n${readme.slice(end)}`;
}

/**
 * The contract between `npm run bench` (bench/run.ts) and its rows (bench/rows/*.ts, each
 * exporting `rows: BenchRow[]`). A row compares faasport with a peer (or a hand-written
 * floor) on one figure. The runner calls `measure` for several rounds, so subjects are
 * interleaved within a round and across rounds; it prints each subject's range and median,
 * the median ratio faasport / peer, and whether the goal holds, and writes it all as JSON.
 * Figures never come from a timed unit test: only from here.
 */
export interface BenchRow {
  /** Stable id, used in the JSON and by `npm run bench -- --only <id>`. */
  readonly id: string;
  /** The "what" column: what is measured, under which conditions. */
  readonly what: string;
  /** Unit of every value `measure` returns. */
  readonly unit: 'µs' | 'ms' | 's' | 'KB' | 'msg/s' | 'req/s';
  /** Whether a smaller value is better (time, size) or a larger one (throughput). */
  readonly better: 'lower' | 'higher';
  /** The subject that is faasport, and the subject it is compared with. */
  readonly subject: string;
  readonly peer: string;
  /**
   * The goal on the median of faasport / peer: at most `ratio` when `better` is 'lower', at
   * least `ratio` when 'higher'. `text` is how the README states it ("≤ 0.33 of hono's").
   */
  readonly goal: {
    readonly ratio: number;
    readonly text: string;
    /**
     * A goal on faasport's own median, in `unit` (at most when 'lower', at least when
     * 'higher'), for a figure whose target is absolute (a bundle of at most 20 KB). When set,
     * it decides met/missed; `ratio` is then the same target expressed against the peer.
     */
    readonly absolute?: number;
  };
  /** Why the figure is what it is (where the time goes): printed under the table when the goal is missed. */
  readonly note?: string;
  /**
   * One round: every subject measured once, interleaved, under the same conditions. Returns
   * the value per subject name (must include `subject` and `peer`; may include more, such as
   * a raw baseline or a variant).
   */
  measure(round: number): Promise<Record<string, number>>;
  /** Called once after the last round (close servers, remove temporary folders). */
  dispose?(): Promise<void>;
}

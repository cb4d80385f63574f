import type { CaseResult, CellStatus } from './run.js';

export interface MatrixColumn {
  readonly adapter: string;
  /** Set when the adapter could not be run at all. */
  readonly unavailable?: string;
  readonly results: readonly CaseResult[];
}

export interface Matrix {
  readonly generatedAt: string;
  readonly columns: readonly { adapter: string; unavailable?: string; summary: Record<CellStatus, number> }[];
  readonly rows: readonly { group: string; test: string; name: string; cells: Record<string, { status: CellStatus | 'unavailable'; reason?: string }> }[];
}

const SYMBOL: Record<CellStatus | 'unavailable', string> = {
  pass: 'pass',
  fail: 'FAIL',
  'expected-failure': 'expected failure',
  'unexpected-pass': 'FAIL (unexpected pass)',
  unsupported: 'unsupported',
  unavailable: 'not run',
};

export function buildMatrix(columns: readonly MatrixColumn[], now = new Date()): Matrix {
  const order: { group: string; test: string; name: string }[] = [];
  const seen = new Set<string>();
  for (const col of columns) {
    for (const r of col.results) {
      if (!seen.has(r.test)) {
        seen.add(r.test);
        order.push({ group: r.group, test: r.test, name: r.name });
      }
    }
  }
  const groupRank = new Map<string, number>();
  order.forEach((r) => {
    if (!groupRank.has(r.group)) groupRank.set(r.group, groupRank.size);
  });
  order.sort((a, b) => groupRank.get(a.group)! - groupRank.get(b.group)!);
  return {
    generatedAt: now.toISOString(),
    columns: columns.map((c) => {
      const summary = { pass: 0, fail: 0, 'expected-failure': 0, 'unexpected-pass': 0, unsupported: 0 } as Record<CellStatus, number>;
      for (const r of c.results) summary[r.status]++;
      return { adapter: c.adapter, ...(c.unavailable ? { unavailable: c.unavailable } : {}), summary };
    }),
    rows: order.map((row) => ({
      ...row,
      cells: Object.fromEntries(
        columns.map((c) => {
          if (c.unavailable) return [c.adapter, { status: 'unavailable' as const, reason: c.unavailable }];
          const r = c.results.find((x) => x.test === row.test);
          return [c.adapter, r ? { status: r.status, ...(r.reason ? { reason: r.reason } : {}) } : { status: 'unavailable' as const, reason: 'case not run' }];
        }),
      ),
    })),
  };
}

/** True when every cell is a pass, an expected failure or an unsupported capability. */
export function matrixOk(matrix: Matrix): boolean {
  return (
    matrix.rows.every((r) => Object.values(r.cells).every((c) => c.status === 'pass' || c.status === 'expected-failure' || c.status === 'unsupported')) &&
    matrix.columns.every((c) => !c.unavailable)
  );
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Markdown: one table per trigger group; every non-pass cell carries its reason as a numbered note. */
export function matrixToMarkdown(matrix: Matrix): string {
  const adapters = matrix.columns.map((c) => c.adapter);
  const notes: string[] = [];
  const lines: string[] = [];
  lines.push(`| adapter | ${adapters.join(' | ')} |`, `|---|${adapters.map(() => '---').join('|')}|`);
  lines.push(
    `| passed | ${matrix.columns.map((c) => (c.unavailable ? 'not run' : `${c.summary.pass}/${Object.values(c.summary).reduce((a, b) => a + b, 0)}`)).join(' | ')} |`,
  );
  lines.push('');
  let group = '';
  for (const row of matrix.rows) {
    if (row.group !== group) {
      group = row.group;
      lines.push('', `**${group}**`, '', `| test | ${adapters.join(' | ')} |`, `|---|${adapters.map(() => '---').join('|')}|`);
    }
    const cells = adapters.map((a) => {
      const cell = row.cells[a]!;
      if (cell.status === 'pass') return 'pass';
      notes.push(`${a} — ${row.test}: ${cell.reason ?? 'no reason given'}`);
      return `${SYMBOL[cell.status]} [${notes.length}]`;
    });
    lines.push(`| ${escapeCell(row.name)} | ${cells.join(' | ')} |`);
  }
  if (notes.length > 0) lines.push('', 'Notes:', '', ...notes.map((n, i) => `${i + 1}. ${escapeCell(n)}`));
  for (const c of matrix.columns) if (c.unavailable) lines.push('', `${c.adapter} was not run: ${c.unavailable}`);
  return lines.join('\n') + '\n';
}

/** Plain-text matrix for the terminal. */
export function matrixToText(matrix: Matrix): string {
  const adapters = matrix.columns.map((c) => c.adapter);
  const width = Math.min(70, Math.max(...matrix.rows.map((r) => r.test.length)));
  const col = 18;
  const out: string[] = [`${'test'.padEnd(width)}  ${adapters.map((a) => a.padEnd(col)).join('')}`];
  for (const row of matrix.rows) {
    const name = row.test.length > width ? row.test.slice(0, width - 1) + '…' : row.test;
    out.push(`${name.padEnd(width)}  ${adapters.map((a) => SYMBOL[row.cells[a]!.status].padEnd(col)).join('')}`);
  }
  out.push('');
  for (const row of matrix.rows) {
    for (const a of adapters) {
      const cell = row.cells[a]!;
      if (cell.status !== 'pass' && cell.status !== 'unavailable') out.push(`  ${a} / ${row.test}: ${SYMBOL[cell.status]} — ${cell.reason ?? ''}`);
    }
  }
  for (const c of matrix.columns) if (c.unavailable) out.push(`  ${c.adapter} was not run: ${c.unavailable}`);
  return out.join('\n');
}

/** One line of the chart. */
export interface ChartSeries {
  /** Stable id written as `data-series`, e.g. "aws-functions". */
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  /** [x, y] points in data units, x ascending. */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartMarker {
  readonly x: number;
  readonly label: string;
  readonly color: string;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly markers: readonly ChartMarker[];
}

const WIDTH = 880;
const HEIGHT = 520;
const PLOT = { left: 80, right: 220, top: 50, bottom: 60 };

/**
 * A line chart as a standalone SVG document, log scale on both axes (request rates and
 * costs both span decades; values under $1 are drawn at $1). Hand-written: a chart of six
 * lines needs no dependency.
 */
export function renderLineChart(chart: LineChart): string {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p[0])).filter((x) => x > 0);
  const ys = chart.series.flatMap((s) => s.points.map((p) => p[1]));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  // Log-log: costs span cents to thousands, and the crossings sit at the low end.
  const yMin = 1;
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(10, ...ys)));
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  const sx = (x: number): number => PLOT.left + ((Math.log10(x) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin) || 1)) * plotW;
  const sy = (y: number): number =>
    PLOT.top + plotH - ((Math.log10(Math.min(Math.max(y, yMin), yMax)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(chart.title)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15">${esc(chart.title)}</text>`,
  ];
  // Grid: one line per decade on both axes.
  for (let d = Math.ceil(Math.log10(xMin)); d <= Math.floor(Math.log10(xMax)); d++) {
    const x = sx(10 ** d).toFixed(1);
    out.push(`<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${PLOT.top + plotH + 18}" text-anchor="middle">${esc(formatRate(10 ** d))}</text>`);
  }
  for (let d = Math.log10(yMin); d <= Math.log10(yMax); d++) {
    const value = 10 ** d;
    const y = sy(value).toFixed(1);
    out.push(`<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.left + plotW}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(formatUsd(value))}</text>`);
  }
  out.push(`<rect x="${PLOT.left}" y="${PLOT.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${PLOT.left + plotW / 2}" y="${HEIGHT - 18}" text-anchor="middle">${esc(chart.xLabel)}</text>`);
  out.push(`<text transform="translate(20 ${PLOT.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`);
  for (const s of chart.series) {
    const points = s.points
      .filter((p) => p[0] > 0)
      .map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
      .join(' ');
    out.push(
      `<polyline data-series="${esc(s.id)}" fill="none" stroke="${esc(s.color)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${points}"><title>${esc(s.label)}</title></polyline>`,
    );
  }
  for (const m of chart.markers) {
    if (m.x < xMin || m.x > xMax) continue;
    const x = sx(m.x).toFixed(1);
    out.push(
      `<g data-marker="${esc(m.label)}"><line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.top + plotH}" stroke="${esc(m.color)}" stroke-dasharray="2 3"/><title>${esc(m.label)}</title></g>`,
    );
  }
  const legendX = PLOT.left + plotW + 16;
  chart.series.forEach((s, i) => {
    const y = PLOT.top + 10 + i * 20;
    out.push(
      `<line x1="${legendX}" y1="${y}" x2="${legendX + 24}" y2="${y}" stroke="${esc(s.color)}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${legendX + 30}" y="${y}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  chart.markers.forEach((m, i) => {
    const y = PLOT.top + 10 + (chart.series.length + i) * 20 + 10;
    out.push(`<text x="${legendX}" y="${y}" dominant-baseline="middle" fill="${esc(m.color)}">${esc(m.label)}</text>`);
  });
  out.push('</svg>', '');
  return out.join('\n');
}

export function formatRate(rps: number): string {
  return rps >= 100 ? `${rps.toLocaleString('en-US', { maximumFractionDigits: 0 })} rps` : `${+rps.toPrecision(rps >= 1 ? 3 : 2)} rps`;
}

function formatUsd(usd: number): string {
  return `$${usd.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

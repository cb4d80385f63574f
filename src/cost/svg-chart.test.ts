import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderLineChart } from './svg-chart.js';

describe('renderLineChart', () => {
  const svg = renderLineChart({
    title: 'cost of "a<b" & co',
    xLabel: 'rps',
    yLabel: 'USD',
    series: [
      {
        id: 'a',
        label: 'A & B',
        color: '#000',
        dashed: false,
        points: [
          [0.1, 1],
          [1, 10],
          [10, 100],
        ],
      },
      {
        id: 'b',
        label: 'B',
        color: '#f00',
        dashed: true,
        points: [
          [0.1, 50],
          [1, 50],
          [10, 50],
        ],
      },
    ],
    markers: [
      { x: 2, label: 'break-even <2>', color: '#00f' },
      { x: 1e6, label: 'off the chart', color: '#00f' },
    ],
  });

  it('is well-formed XML even with markup characters in the labels', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  it('draws one polyline per series, log-scaled on both axes', () => {
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(svg) as {
      svg: { polyline: { 'data-series': string; points: string; 'stroke-dasharray'?: string }[] };
    };
    const [a, b] = doc.svg.polyline;
    expect(a!['data-series']).toBe('a');
    expect(b!['stroke-dasharray']).toBe('6 4');
    const xs = a!.points.split(' ').map((p) => Number(p.split(',')[0]));
    // Equal steps on a log scale: 0.1 → 1 → 10 are evenly spaced.
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 1);
    // 1 → 10 → 100 dollars: equal steps up on a log scale.
    const ysA = a!.points.split(' ').map((p) => Number(p.split(',')[1]));
    expect(ysA[0]! - ysA[1]!).toBeCloseTo(ysA[1]! - ysA[2]!, 1);
    expect(ysA[0]!).toBeGreaterThan(ysA[2]!);
    const ys = b!.points.split(' ').map((p) => Number(p.split(',')[1]));
    expect(new Set(ys).size).toBe(1);
  });

  it('draws markers within the x range only', () => {
    expect(svg).toContain('data-marker="break-even &lt;2&gt;"');
    expect(svg).not.toContain('data-marker="off the chart"');
  });
});

import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import type { Markings } from '../../shared/model/index.ts';
import { DEFAULT_MARKINGS } from '../../shared/model/index.ts';
import type { ChartViewModel } from './chartModel.ts';
import { exportBanner, exportLegend, framedSvg, svgSize } from './chartExport.ts';

const marked = (markings: Partial<Markings>) => ({
  markings: { ...DEFAULT_MARKINGS, ...markings },
});

describe('chart export frame', () => {
  it('bans the strictest marking of the case and of what is drawn', () => {
    expect(exportBanner(marked({}), [])).toBe('UNCLASSIFIED · TLP:AMBER');
    expect(
      exportBanner(marked({ classification: 'RESTRICTED' }), [
        marked({ tlp: 'RED' }),
        marked({ classification: 'CONFIDENTIAL', handlingCode: 'ORCON' }),
      ]),
    ).toBe('CONFIDENTIAL · TLP:RED · ORCON');
  });

  it('lists drawn types, counting the members of combined links', () => {
    const view: ChartViewModel = {
      nodes: [
        { id: 'a', label: 'a', schema: 'Phone', iconKey: 'Phone', x: 0, y: 0 },
        { id: 'b', label: 'b', schema: 'Phone', iconKey: 'Phone', x: 0, y: 0 },
        {
          id: 'g',
          label: 'g',
          schema: 'Group',
          iconKey: 'Thing',
          x: 0,
          y: 0,
          classes: 'chart-group',
        },
      ],
      edges: [
        {
          id: 'bundle:x',
          source: 'a',
          target: 'b',
          schema: 'Call',
          label: '',
          directed: true,
          members: ['1', '2', '3'],
        },
      ],
    };
    const legend = exportLegend(view, '#999');
    expect(legend.map((e) => [e.count, e.edge])).toEqual([
      [2, false],
      [3, true],
    ]);
  });

  it('wraps the chart SVG with banners top and bottom, the caption and the legend', () => {
    const chart =
      '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="400" height="300"><circle r="5"/></svg>';
    const svg = framedSvg(chart, {
      banner: 'RESTRICTED · TLP:AMBER',
      caption: 'AT/BK/2026/0042 · Smuggling <Danube> · Chart: Suspects',
      legend: [
        { label: 'Phone', color: '#0f0', count: 10, edge: false },
        { label: 'Call', color: '#999', count: 320, edge: true },
      ],
      colors: { bg: '#fff', fg: '#111', edge: '#999' },
    });
    // A strict XML parse: any escaping slip throws.
    const fail = (message: string) => {
      throw new Error(message);
    };
    const doc = new DOMParser({
      errorHandler: { warning: fail, error: fail, fatalError: fail },
    }).parseFromString(svg, 'image/svg+xml');
    const texts = Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent);
    expect(texts.filter((t) => t === 'RESTRICTED · TLP:AMBER')).toHaveLength(2);
    expect(texts).toContain('AT/BK/2026/0042 · Smuggling <Danube> · Chart: Suspects');
    expect(texts).toContain('Call (320)');
    expect(texts).toContain('Phone (10)');
    // The chart itself is nested unchanged, below the banner and caption.
    expect(svg.match(/<circle /g)).toHaveLength(1);
    const size = svgSize(svg);
    expect(size.width).toBeGreaterThanOrEqual(400);
    expect(size.height).toBeGreaterThan(300 + 2 * 28);
  });
});

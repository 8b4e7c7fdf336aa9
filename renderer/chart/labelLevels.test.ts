import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabelBox } from './labelLevels.ts';
import { PRIORITY_HOVERED, PRIORITY_SELECTED, visibleLabels } from './labelLevels.ts';

function collide(a: LabelBox, b: LabelBox): boolean {
  return (
    Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height
  );
}

const boxArb = fc.record({
  id: fc.uuid(),
  x: fc.integer({ min: 0, max: 800 }),
  y: fc.integer({ min: 0, max: 600 }),
  width: fc.integer({ min: 1, max: 160 }),
  height: fc.integer({ min: 1, max: 30 }),
  priority: fc.integer({ min: 0, max: 100 }),
  important: fc.boolean(),
});

describe('visibleLabels', () => {
  it('never draws two overlapping labels, and drops only labels that would overlap one drawn', () => {
    fc.assert(
      fc.property(fc.uniqueArray(boxArb, { selector: (b) => b.id, maxLength: 120 }), (boxes) => {
        const shown = visibleLabels(boxes, { gap: 0 });
        const drawn = boxes.filter((b) => shown.has(b.id));
        for (let i = 0; i < drawn.length; i++) {
          for (let j = i + 1; j < drawn.length; j++)
            expect(collide(drawn[i]!, drawn[j]!)).toBe(false);
        }
        for (const box of boxes) {
          if (!shown.has(box.id)) expect(drawn.some((d) => collide(d, box))).toBe(true);
        }
      }),
    );
  });

  it('gives way to the selected and hovered labels; zoomed out keeps only important ones', () => {
    const box = (id: string, x: number, priority: number, important = false): LabelBox => ({
      id,
      x,
      y: 100,
      width: 80,
      height: 14,
      priority,
      important,
    });
    const boxes = [
      box('hub', 100, 1e9 + 50),
      box('selected', 130, PRIORITY_SELECTED, true),
      box('hovered', 400, PRIORITY_HOVERED, true),
      box('plain', 430, 1e9),
      box('far', 700, 1e9),
      box('big', 900, 1e9 + 400e3, true),
    ];
    expect([...visibleLabels(boxes)].sort()).toEqual(['big', 'far', 'hovered', 'selected']);
    expect([...visibleLabels(boxes, { zoomedOut: true })].sort()).toEqual([
      'big',
      'hovered',
      'selected',
    ]);
  });

  it('keeps 320 stacked call labels on a ten-phone chart from piling up', () => {
    // Every label between two phones sits at the same midpoint: only one per spot can be drawn.
    const boxes: LabelBox[] = Array.from({ length: 320 }, (_, i) => ({
      id: `call${i}`,
      x: (i % 45) * 200,
      y: 50,
      width: 90,
      height: 24,
      priority: 1,
    }));
    expect(visibleLabels(boxes).size).toBe(45);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodePersistedIndex,
  encodePersistedIndex,
  encodePersistedIndexParts,
  PERSIST_SLICE_STRINGS,
  VERSION_KINDS,
} from './persisted.ts';
import type { PersistedIndex } from './persisted.ts';
import { joinParts } from './binary.ts';

const versionMap = fc
  .uniqueArray(
    fc.tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ maxLength: 30 })),
    {
      selector: ([id]) => id,
      maxLength: 60,
    },
  )
  .map((pairs) => new Map(pairs));

const persistedIndex: fc.Arbitrary<PersistedIndex> = fc.record({
  index: fc.uint8Array({ maxLength: 100 }),
  versions: fc.record({ entities: versionMap, notes: versionMap, attachments: versionMap }),
});

describe('the persisted index in slices', () => {
  it('is, part after part, the bytes of the one-piece encoding, and reads back the same', async () => {
    await fc.assert(
      fc.asyncProperty(
        persistedIndex,
        fc.integer({ min: 1, max: 70 }),
        async (persisted, slice) => {
          let pauses = 0;
          const parts = await encodePersistedIndexParts(
            persisted,
            () => {
              pauses += 1;
              return Promise.resolve();
            },
            slice,
          );
          const whole = encodePersistedIndex(persisted);
          expect(joinParts(parts)).toEqual(whole);
          const back = decodePersistedIndex(joinParts(parts));
          expect(back.index).toEqual(persisted.index);
          for (const kind of VERSION_KINDS) {
            expect([...back.versions[kind]]).toEqual([...persisted.versions[kind]]);
          }
          const slices = VERSION_KINDS.reduce(
            (sum, kind) => sum + Math.floor(persisted.versions[kind].size / slice),
            0,
          );
          expect(pauses).toBe(slices);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lets the page run between slices of a large version list', async () => {
    const entities = new Map(
      Array.from({ length: 50_000 }, (_, i) => [`entity-${i}`, `0018f${i}-0000-node`] as const),
    );
    const persisted: PersistedIndex = {
      index: new Uint8Array(16),
      versions: { entities, notes: new Map(), attachments: new Map() },
    };
    const ticks: number[] = [];
    let ticked = 0;
    const parts = await encodePersistedIndexParts(persisted, () => {
      // What the page does between two slices; the encoding has not finished yet.
      ticked += 1;
      ticks.push(ticked);
      return Promise.resolve();
    });
    // One pause after each whole slice of the 50,000 versions.
    const slices = Math.floor(entities.size / PERSIST_SLICE_STRINGS);
    expect(slices).toBeGreaterThan(1);
    expect(ticks).toEqual(Array.from({ length: slices }, (_, i) => i + 1));
    expect(joinParts(parts)).toEqual(encodePersistedIndex(persisted));
    // No part copies the index: it is the caller's bytes, as a view.
    expect(parts.some((part) => part.buffer === persisted.index.buffer)).toBe(true);
  });
});

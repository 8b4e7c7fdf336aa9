import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contract } from './contract.ts';
import { bundleRefKey, bundleRefSchema, exportRefSchema, type BundleRef } from './refs.ts';

const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/);
const name = fc
  .stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$/)
  .filter((n) => !n.includes('..'));
const bundleRef: fc.Arbitrary<BundleRef> = fc.oneof(
  hex16.map((id) => ({ kind: 'handed-in' as const, id })),
  fc.record({ kind: fc.constant('inbox' as const), transport: hex16, name }),
);

describe('file references (issue 9)', () => {
  it('are tagged objects: the prefixed strings of before are refused', () => {
    for (const old of ['f.0123456789abcdef', 't.0123456789abcdef.x.tessera', 'x.a.tessera']) {
      expect(bundleRefSchema.safeParse(old).success).toBe(false);
      expect(exportRefSchema.safeParse(old).success).toBe(false);
    }
    expect(bundleRefSchema.parse({ kind: 'handed-in', id: '0123456789abcdef' })).toEqual({
      kind: 'handed-in',
      id: '0123456789abcdef',
    });
  });

  it('refuse paths, traversal, hidden files and extra fields', () => {
    const transport = '0123456789abcdef';
    for (const bad of ['../x', 'a/b', '.hidden', 'a..b', '', 'a\\b', 'x'.repeat(201)]) {
      expect(bundleRefSchema.safeParse({ kind: 'inbox', transport, name: bad }).success).toBe(
        false,
      );
      expect(exportRefSchema.safeParse({ kind: 'export', name: bad }).success).toBe(false);
    }
    expect(bundleRefSchema.safeParse({ kind: 'handed-in', id: '0123' }).success).toBe(false);
    expect(
      bundleRefSchema.safeParse({ kind: 'handed-in', id: transport, path: '/etc' }).success,
    ).toBe(false);
  });

  it('cross the contract as objects (import, complete, staged attachment download)', () => {
    const ref = { kind: 'inbox', transport: '0123456789abcdef', name: 'b.tessera' } as const;
    expect(contract['exchange.import.open'].input.safeParse({ bundleRef: ref }).success).toBe(true);
    expect(
      contract['transfer.download.begin'].input.safeParse({
        ref: { kind: 'staged-attachment', bundleRef: ref, name: 'part-1' },
      }).success,
    ).toBe(true);
    expect(
      contract['transfer.download.begin'].input.safeParse({
        ref: { kind: 'export', name: 'x.tessera' },
      }).success,
    ).toBe(true);
  });

  it('have one key per reference (maps and test ids never mix two bundles up)', () => {
    fc.assert(
      fc.property(bundleRef, bundleRef, (a, b) => {
        expect(bundleRefKey(a) === bundleRefKey(b)).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(bundleRefSchema.parse(a)).toEqual(a);
      }),
    );
  });
});

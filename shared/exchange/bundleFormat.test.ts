import { describe, expect, it } from 'vitest';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_MANIFEST_FORMAT,
  type BundleManifest,
  cardBodyText,
  parseBundleManifest,
  parseIdentityCard,
  serializeBundleManifest,
} from './bundleFormat.ts';

const manifest: BundleManifest = {
  format: BUNDLE_MANIFEST_FORMAT,
  version: BUNDLE_FORMAT_VERSION,
  bundleId: '01HV6Z3K4M5N6P7Q8R9S0T1V2W',
  createdAt: '2024-05-01T10:00:00.000Z',
  caseId: 'case-1',
  sender: { agencyId: 'a', agencyName: 'Agency A', keyId: '0123456789abcdef' },
  recipients: [
    {
      agencyId: 'b',
      keyId: 'fedcba9876543210',
      sequence: 3,
      previousBundleDigest: 'aa'.repeat(32),
    },
  ],
  hlcRange: { from: '0018f2a3b4c5d-0000-a', to: '0018f2a3b4c5e-0001-a' },
  policyVersion: 'v1',
  compression: 'none',
  parts: [
    { name: 'operations', kind: 'operations', size: 10, sha256: '00'.repeat(32) },
    {
      name: 'att-000001',
      kind: 'attachment',
      size: 5,
      sha256: '11'.repeat(32),
      label: 'photo.jpg',
    },
  ],
};

describe('bundle manifest', () => {
  it('round-trips through its canonical serialization', () => {
    const text = serializeBundleManifest(manifest);
    expect(parseBundleManifest(text)).toEqual(manifest);
    // Key order does not depend on the input object's order.
    const { parts, ...rest } = manifest;
    const shuffled = JSON.parse(JSON.stringify({ parts, ...rest })) as BundleManifest;
    expect(serializeBundleManifest(shuffled)).toBe(text);
  });

  it.each([
    ['compression', { compression: 'gzip' }, /compression/],
    [
      'path in a part name',
      { parts: [manifest.parts[0], { ...manifest.parts[1], name: '../x' }] },
      /parts/,
    ],
    ['operations not first', { parts: [manifest.parts[1], manifest.parts[0]] }, /first part/],
    [
      'reserved name',
      { parts: [manifest.parts[0], { ...manifest.parts[1], name: 'manifest.json' }] },
      /reserved/,
    ],
    ['bad bundle id', { bundleId: 'x' }, /ULID/],
    ['bad sequence', { recipients: [{ ...manifest.recipients[0], sequence: 0 }] }, /recipients/],
    ['unknown version', { version: 2 }, /version/],
  ])('refuses %s', (_name, patch, message) => {
    expect(() => parseBundleManifest(JSON.stringify({ ...manifest, ...patch }))).toThrow(message);
  });

  it('refuses invalid JSON', () => {
    expect(() => parseBundleManifest('{')).toThrow(/not valid JSON/);
  });
});

describe('identity card', () => {
  it('refuses malformed cards with a message naming the field', () => {
    expect(() => parseIdentityCard('{}')).toThrow(/not a valid Tessera identity card/);
    expect(() => parseIdentityCard('nope')).toThrow(/invalid JSON/);
  });

  it('builds the signed body with no room for line-break injection', () => {
    const body = {
      format: 'tessera.identity-card' as const,
      version: 1 as const,
      agencyId: 'a',
      agencyName: 'A\nkeyId:evil',
      ageRecipient: 'age1',
      signingKey: 'k',
      keyId: '0123456789abcdef',
      created: '2024-01-01T00:00:00Z',
      rotations: [],
    };
    expect(() => cardBodyText(body)).toThrow(/line break/);
  });
});

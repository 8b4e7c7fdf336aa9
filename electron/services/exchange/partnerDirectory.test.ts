import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../identity/cards.ts';
import { testProtector } from '../bundle/fixtures/testSupport.ts';
import { IdentityStore } from '../identity/store.ts';
import type { IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import { PartnerDirectory, releaseProblems } from './partnerDirectory.ts';
import { testAgreement } from './fixtures/testSupport.ts';

let root: string;
let partner: IdentityCard;
let impostor: IdentityCard;
const now = () => new Date('2024-06-01T12:00:00Z');

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tessera-partners-'));
  const card = (dir: string) =>
    new IdentityStore(path.join(root, dir), testProtector()).create({
      agencyName: 'Partner One',
      agencyId: 'partner-one',
    });
  partner = await card('partner');
  // Another key presenting itself under the same agency id: not signed by the pinned one.
  impostor = await card('impostor');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function directory(name: string): PartnerDirectory {
  return new PartnerDirectory({ file: path.join(root, `${name}.json`), now });
}

describe('PartnerDirectory', () => {
  it('pins a new card unconfirmed, trusts it when the fingerprint read out matches', async () => {
    const partners = directory('pin');
    const pinned = await partners.importCard(JSON.stringify(partner), 'own-agency');
    expect(pinned).toMatchObject({ state: 'unconfirmed', pinnedAt: now().toISOString() });
    expect(releaseProblems(pinned, pinned.agencyId).join(' ')).toMatch(/not been confirmed/);
    await expect(partners.confirm(partner.agencyId, '0000 1111')).rejects.toMatchObject({
      code: 'fingerprint-mismatch',
    });
    const trusted = await partners.confirm(partner.agencyId, fingerprintOf(partner).hex);
    expect(trusted.state).toBe('trusted');
    expect(await partners.byKey(partner.keyId)).toMatchObject({ agencyId: partner.agencyId });
    expect(await partners.byKey('0000000000000000')).toBeNull();
  });

  it('refuses our own card and unknown partners by code', async () => {
    const partners = directory('own');
    await expect(
      partners.importCard(JSON.stringify(partner), partner.agencyId),
    ).rejects.toMatchObject({ code: 'own-card' });
    await expect(partners.get('nobody')).rejects.toMatchObject({ code: 'unknown-partner' });
    await expect(partners.confirm('nobody', 'x')).rejects.toMatchObject({
      code: 'unknown-partner',
    });
    expect(await partners.remove('nobody')).toBe(false);
  });

  it('blocks a partner whose key changed without a signed rotation', async () => {
    const partners = directory('block');
    await partners.importCard(JSON.stringify(partner), null);
    await partners.confirm(partner.agencyId, fingerprintOf(partner).hex);
    const blocked = await partners.importCard(JSON.stringify(impostor), null);
    expect(blocked.state).toBe('blocked');
    expect(blocked.presentedCard?.keyId).toBe(impostor.keyId);
    expect(blocked.warning).toMatch(/blocked until the new fingerprint is confirmed/);
    expect(releaseProblems(blocked, blocked.agencyId)).toContain(blocked.warning);
  });

  it('keeps an agreement only for the partner it names, and removes partners', async () => {
    const partners = directory('agree');
    await partners.importCard(JSON.stringify(partner), null);
    await expect(
      partners.setAgreement(partner.agencyId, testAgreement('someone-else')),
    ).rejects.toMatchObject({ code: 'agreement-mismatch' });
    const agreed = await partners.setAgreement(partner.agencyId, testAgreement(partner.agencyId));
    expect(agreed.agreement?.partnerAgencyId).toBe(partner.agencyId);
    expect((await partners.setAgreement(partner.agencyId, null)).agreement).toBeNull();
    expect(await partners.remove(partner.agencyId)).toBe(true);
    expect(await partners.list()).toEqual([]);
    expect(releaseProblems(undefined, 'x')).toEqual(['x is not in the partner directory']);
  });
});

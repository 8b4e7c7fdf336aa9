import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { caseFileSchema } from '../caseFile.ts';
import { edgeEnds, isEdgeSchema, validateEntity, validateIban } from '../model/index.ts';
import { base64ToBytes, bytesToBase64, utf8Bytes } from './base64.ts';
import { createDemoCase, ibanWithCheckDigits } from './demoCase.ts';

const now = new Date('2024-09-01T10:00:00Z');
const demo = createDemoCase({ agencyId: 'demo-agency', now });

describe('demo case', () => {
  it('is deterministic', () => {
    expect(JSON.stringify(createDemoCase({ agencyId: 'demo-agency', now }))).toBe(
      JSON.stringify(demo),
    );
    expect(createDemoCase({ agencyId: 'other', now }).case.id).not.toBe(demo.case.id);
  });

  it('passes the case-file schema and entity validation', () => {
    const parsed = caseFileSchema.safeParse(demo);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    const ids = new Set(demo.entities.map((entity) => entity.id));
    for (const entity of demo.entities) {
      expect(
        validateEntity(entity.schema, entity.properties, ids),
        `${entity.schema} ${entity.id}`,
      ).toEqual({});
    }
  });

  it('has the expected size and variety', () => {
    const nodes = demo.entities.filter((entity) => !isEdgeSchema(entity.schema));
    const edges = demo.entities.filter((entity) => isEdgeSchema(entity.schema));
    expect(nodes.length).toBeGreaterThanOrEqual(55);
    expect(nodes.length).toBeLessThanOrEqual(70);
    expect(edges.length).toBeGreaterThanOrEqual(90);
    const schemata = new Set(demo.entities.map((entity) => entity.schema));
    for (const schema of [
      'Person',
      'Company',
      'Organization',
      'Phone',
      'Vehicle',
      'BankAccount',
      'Passport',
      'Address',
      'Event',
      'StolenProperty',
      'BiometricRecord',
      'Associate',
      'Family',
      'Ownership',
      'Directorship',
      'Employment',
      'Payment',
      'Call',
    ]) {
      expect(schemata.has(schema), schema).toBe(true);
    }
    for (const edge of edges) expect(edgeEnds(edge.schema, edge.properties)).toBeDefined();
    expect(
      new Set(demo.entities.map((e) => `${e.grading.source}${e.grading.information}`)).size,
    ).toBeGreaterThan(4);
    expect(new Set(demo.entities.map((e) => e.provenance.source)).size).toBeGreaterThan(5);
    expect(demo.case.jurisdictions).toEqual(['ro', 'at', 'it']);
    const red = demo.notices.find((notice) => notice.noticeType === 'red');
    expect(red?.status).toBe('issued');
    expect(demo.notes.length).toBeGreaterThanOrEqual(3);
  });

  it('charts every node and nothing else', () => {
    const chart = demo.charts[0];
    expect(chart.name).toBe('Overview');
    const nodes = demo.entities.filter((entity) => !isEdgeSchema(entity.schema)).map((e) => e.id);
    expect(Object.keys(chart.nodes).sort()).toEqual(nodes.sort());
    const positions = new Set(Object.values(chart.nodes).map((n) => `${n.x},${n.y}`));
    expect(positions.size).toBe(nodes.length);
  });

  it('carries valid attachments whose hashes match', () => {
    expect(demo.attachments.map((a) => a.mediaType)).toEqual([
      'image/png',
      'application/pdf',
      'text/plain',
    ]);
    for (const attachment of demo.attachments) {
      const bytes = Buffer.from(attachment.contentBase64, 'base64');
      expect(bytes.length).toBe(attachment.size);
      expect(bytesToHex(sha256(bytes))).toBe(attachment.sha256);
    }
    const png = Buffer.from(demo.attachments[0].contentBase64, 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const pdf = Buffer.from(demo.attachments[1].contentBase64, 'base64').toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    const xref = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    expect(pdf.slice(xref, xref + 4)).toBe('xref');
    const firstObject = Number(/0000000000 65535 f \n(\d{10})/.exec(pdf)![1]);
    expect(pdf.slice(firstObject, firstObject + 7)).toBe('1 0 obj');
  });

  it('uses IBANs with valid check digits', () => {
    expect(validateIban(ibanWithCheckDigits('DE', '370400440532013000'))).toBeUndefined();
    expect(ibanWithCheckDigits('DE', '370400440532013000')).toBe('DE89370400440532013000');
    const ibans = demo.entities.flatMap((e) => e.properties.iban ?? []);
    expect(ibans.length).toBe(6);
    for (const iban of ibans) expect(validateIban(iban)).toBeUndefined();
  });
});

describe('base64', () => {
  it('matches Node for all lengths and round-trips', () => {
    for (let n = 0; n < 40; n += 1) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) % 256);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect([...base64ToBytes(text)]).toEqual([...bytes]);
    }
    expect(() => base64ToBytes('abc')).toThrow();
    expect(() => base64ToBytes('ab$=')).toThrow();
    expect(Buffer.from(utf8Bytes('Ștefan €𝄞')).toString('utf8')).toBe('Ștefan €𝄞');
  });
});

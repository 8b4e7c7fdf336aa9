import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkSuggestions, rankedEdgeSchemata, schemaDistance } from './linkSuggestions.ts';
import { edgeSchemataBetween, getSchema, NODE_SCHEMATA } from './schema.ts';

const labels = (from: string, to: string) => linkSuggestions(from, to).map((s) => s.label);

describe('linkSuggestions', () => {
  it("offers the phone's owner first for Person → Phone, then the catch-all link", () => {
    expect(linkSuggestions('Person', 'Phone')).toEqual([
      {
        kind: 'property',
        holder: 'to',
        schema: 'Phone',
        property: 'owner',
        label: 'Phone: Owner',
        cost: 1,
      },
      { kind: 'relationship', schema: 'UnknownLink', label: 'Other link', cost: 3 },
    ]);
    // Drawn the other way round, the phone holds the property itself.
    expect(linkSuggestions('Phone', 'Person')[0]).toMatchObject({
      kind: 'property',
      holder: 'from',
      property: 'owner',
    });
  });

  it('puts the operator and Ownership before the unknown link for a vehicle', () => {
    // FtM deprecates Vehicle:owner in favour of Ownership: it is drawn (propertyEdges) but not offered.
    expect(labels('Person', 'Vehicle')).toEqual(['Vehicle: Operator', 'Ownership', 'Other link']);
  });

  it('ranks Employment first for Person → Company and the unknown link last', () => {
    const ranked = rankedEdgeSchemata('Person', 'Company');
    expect(ranked[0]).toBe('Employment');
    expect(ranked.slice(1, 4).sort()).toEqual(['Directorship', 'Membership', 'Ownership']);
    expect(ranked.at(-1)).toBe('UnknownLink');
  });

  it('ranks family and associate before payments between two people', () => {
    expect(rankedEdgeSchemata('Person', 'Person').slice(0, 2)).toEqual(['Associate', 'Family']);
    expect(rankedEdgeSchemata('Person', 'Person').at(-1)).toBe('UnknownLink');
  });

  it("offers a passport's holder where no relationship type fits", () => {
    expect(edgeSchemataBetween('Person', 'Passport')).toEqual([]);
    expect(labels('Person', 'Passport')).toEqual(['Passport: Identification holder']);
  });

  it('leaves out the properties every thing inherits (source document, address, parent company)', () => {
    const properties = linkSuggestions('Company', 'Company').filter((s) => s.kind === 'property');
    expect(properties).toEqual([]);
    expect(labels('Document', 'Person')).not.toContain('Person: Source document');
  });

  it('ranks exactly the relationship types the model allows, for every pair of node types', () => {
    const types = fc.constantFrom(...NODE_SCHEMATA);
    fc.assert(
      fc.property(types, types, (from, to) => {
        const ranked = rankedEdgeSchemata(from, to);
        expect([...ranked].sort()).toEqual([...edgeSchemataBetween(from, to)].sort());
        const costs = linkSuggestions(from, to).map((s) => s.cost);
        expect(costs).toEqual([...costs].sort((a, b) => a - b));
        expect(costs.every(Number.isFinite)).toBe(true);
      }),
    );
  });
});

describe('schemaDistance', () => {
  it('counts extends steps and is infinite for unrelated schemata', () => {
    expect(schemaDistance(getSchema('Person'), getSchema('Person'))).toBe(0);
    expect(schemaDistance(getSchema('Person'), getSchema('LegalEntity'))).toBe(1);
    expect(schemaDistance(getSchema('Person'), getSchema('Thing'))).toBe(2);
    expect(schemaDistance(getSchema('Company'), getSchema('Asset'))).toBe(1);
    expect(schemaDistance(getSchema('Phone'), getSchema('LegalEntity'))).toBe(Infinity);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseImportSpec } from '../../shared/importer/index.ts';
import {
  addCondition,
  addEntity,
  addProperty,
  addTransform,
  blankSpec,
  changeValueKind,
  columnNames,
  identityApplies,
  MAPPABLE_SCHEMATA,
  removeCondition,
  removeEntity,
  toggleIdentity,
  TRANSFORMS,
  updateEntity,
  updateProperty,
} from './wizardModel.ts';

describe('editing a specification in the wizard', () => {
  it('every transform the picker offers makes a specification the engine accepts', () => {
    let spec = updateEntity(addEntity(blankSpec(), 'Phone'), 0, (e) =>
      addProperty(e, 'number', 'A'),
    );
    for (const { op } of TRANSFORMS) {
      spec = updateEntity(spec, 0, (e) => updateProperty(e, 0, (m) => addTransform(m, op)));
    }
    expect(parseImportSpec(spec).entities[0]!.properties[0]!.transforms).toHaveLength(
      TRANSFORMS.length,
    );
  });

  it('any sequence of edits keeps keys unique and the specification valid', () => {
    const edit = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        schema: fc.constantFrom(...MAPPABLE_SCHEMATA),
      }),
      fc.record({ kind: fc.constant('remove' as const), at: fc.nat(5) }),
      fc.record({ kind: fc.constant('identity' as const), at: fc.nat(5), on: fc.boolean() }),
      fc.record({ kind: fc.constant('rule' as const), exclude: fc.boolean(), drop: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 12 }), (edits) => {
        let spec = blankSpec();
        for (const e of edits) {
          if (e.kind === 'add') spec = addEntity(spec, e.schema);
          else if (e.kind === 'remove') spec = removeEntity(spec, e.at);
          else if (e.kind === 'identity') {
            spec = updateEntity(spec, e.at, (x) =>
              identityApplies(x.schema, { by: 'phone' })
                ? toggleIdentity(x, { by: 'phone' }, e.on)
                : x,
            );
          } else {
            const list = e.exclude ? 'exclude' : 'include';
            spec = e.drop ? removeCondition(spec, list, 0) : addCondition(spec, list, '#1');
          }
        }
        const keys = spec.entities.map((x) => x.key);
        expect(new Set(keys).size).toBe(keys.length);
        // Mapped with a column each, the specification is one the engine takes.
        const mapped = spec.entities.reduce(
          (s, entity, i) =>
            updateEntity(s, i, (x) =>
              addProperty(x, entity.schema === 'Phone' ? 'number' : 'summary', '#1'),
            ),
          spec,
        );
        if (mapped.entities.length > 0) expect(() => parseImportSpec(mapped)).not.toThrow();
      }),
      { numRuns: 60 },
    );
  });

  it('offers only the identity rules a schema can take', () => {
    expect(identityApplies('Phone', { by: 'phone' })).toBe(true);
    expect(identityApplies('BankAccount', { by: 'phone' })).toBe(false);
    expect(identityApplies('BankAccount', { by: 'iban' })).toBe(true);
    expect(identityApplies('Person', { by: 'name-and-birth-date' })).toBe(true);
    expect(identityApplies('Phone', { by: 'passport' })).toBe(false);
    expect(identityApplies('Passport', { by: 'passport' })).toBe(true);
  });

  it('names columns by header or by position, and carries a column over to joined columns', () => {
    expect(columnNames(['a', 'b'], 2)).toEqual(['a', 'b']);
    expect(columnNames(undefined, 3)).toEqual(['#1', '#2', '#3']);
    expect(changeValueKind({ column: 'b' }, 'columns', ['a', 'b'], [])).toEqual({
      columns: ['b'],
      join: ' ',
    });
    expect(changeValueKind({ column: 'b' }, 'entity', ['a'], ['caller'])).toEqual({
      entity: 'caller',
    });
  });
});

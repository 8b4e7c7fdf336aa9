import { describe, expect, it } from 'vitest';
import type { EntityRecord } from '../../shared/model/index.ts';
import { getSchema } from '../../shared/model/index.ts';
import { entity as testEntity } from '../../shared/exchange/fixtures/releaseFixtures.ts';
import {
  addValue,
  clearChangedErrors,
  filterFields,
  carryOver,
  countryOptions,
  entityOptions,
  fieldPlan,
  fieldValues,
  inputKindOf,
  orderedErrorKeys,
  removeValue,
  setValue,
} from './entityForm.ts';

function entity(id: string, schema: string, name: string): EntityRecord {
  return testEntity(id, schema, { name: [name] });
}

describe('entity form logic', () => {
  it('puts featured properties first and the other editable ones under more', () => {
    const plan = fieldPlan('Person');
    expect(plan.featured.map((property) => property.name)).toEqual(getSchema('Person').featured);
    const more = plan.more.map((property) => property.name);
    expect(more).toContain('birthPlace');
    expect(more).not.toContain('name');
    expect(plan.more.some((property) => property.hidden || property.stub)).toBe(false);
  });

  it('leaves the ends of a relationship out of its form', () => {
    const plan = fieldPlan('Ownership');
    const names = [...plan.featured, ...plan.more].map((property) => property.name);
    expect(names).not.toContain('owner');
    expect(names).not.toContain('asset');
    expect(names).toContain('percentage');
  });

  it('chooses inputs by property type', () => {
    const person = getSchema('Person');
    expect(inputKindOf(person.getProperty('birthDate'))).toBe('date');
    expect(inputKindOf(person.getProperty('nationality'))).toBe('country');
    expect(inputKindOf(person.getProperty('notes'))).toBe('textarea');
    expect(inputKindOf(person.getProperty('name'))).toBe('text');
    expect(inputKindOf(getSchema('Phone').getProperty('owner'))).toBe('entity');
  });

  it('offers FtM countries and the case entities in a reference range', () => {
    expect(countryOptions().find((option) => option.value === 'de')?.label).toBe('Germany');
    const entities = [
      entity('p1', 'Person', 'Zed'),
      entity('c1', 'Company', 'Acme'),
      entity('v1', 'Vehicle', 'Golf'),
    ];
    const owner = getSchema('Phone').getProperty('owner');
    expect(entityOptions(owner, entities).map((option) => option.value)).toEqual(['c1', 'p1']);
    expect(entityOptions(owner, entities, 'c1').map((option) => option.value)).toEqual(['p1']);
  });

  it('edits multi-valued properties and keeps values across a type change', () => {
    let values = {};
    expect(fieldValues(values, 'name')).toEqual(['']);
    values = setValue(values, 'name', 0, 'Ivan');
    values = addValue(values, 'name');
    values = setValue(values, 'name', 1, 'Vanya');
    expect(values).toEqual({ name: ['Ivan', 'Vanya'] });
    values = removeValue(values, 'name', 0);
    expect(values).toEqual({ name: ['Vanya'] });
    values = { ...values, birthDate: ['1980'] };
    expect(carryOver(values, 'Company')).toEqual({ name: ['Vanya'] });
  });

  it('orders errors as the form shows the fields', () => {
    const plan = fieldPlan('Person');
    expect(orderedErrorKeys({ zzz: 'x', birthDate: 'y', name: 'z' }, plan)).toEqual([
      'name',
      'birthDate',
      'zzz',
    ]);
  });

  it('clears the errors of fields being fixed and filters long field lists', () => {
    const errors = { name: 'a', birthDate: 'b' };
    expect(clearChangedErrors(errors, { name: ['x'] }, { name: ['x'] })).toBe(errors);
    expect(clearChangedErrors(errors, { name: ['x'] }, { name: ['y'] })).toEqual({
      birthDate: 'b',
    });
    const more = fieldPlan('Person').more;
    expect(filterFields(more, '').length).toBe(more.length);
    expect(filterFields(more, 'PASSPORT').map((property) => property.name)).toContain(
      'passportNumber',
    );
  });
});

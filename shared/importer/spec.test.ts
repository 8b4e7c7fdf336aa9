import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ImportSpecError } from './errors.ts';
import { BUILT_IN_SPECS, parseImportSpec, parseImportSpecText, specByName } from './spec.ts';

function specError(json: unknown): ImportSpecError {
  try {
    parseImportSpec(json);
  } catch (error) {
    if (error instanceof ImportSpecError) return error;
    throw error;
  }
  throw new Error('parsed');
}

const cdr = BUILT_IN_SPECS.cdr;

describe('parseImportSpec', () => {
  it('round-trips the built-in specifications through JSON', () => {
    for (const spec of Object.values(BUILT_IN_SPECS)) {
      expect(parseImportSpecText(JSON.stringify(spec))).toEqual(spec);
    }
    expect(specByName('cdr')).toBe(cdr);
    expect(specByName('constructor')).toBeUndefined();
  });

  it('says where a specification is wrong', () => {
    const wrongTransform = specError({
      ...cdr,
      entities: [
        cdr.entities[0],
        cdr.entities[1],
        {
          ...cdr.entities[2],
          properties: [
            { property: 'duration', value: { column: 'd' }, transforms: [{ op: 'nope' }] },
          ],
        },
      ],
    });
    expect(wrongTransform.code).toBe('spec.invalid');
    expect(wrongTransform.path).toBe('entities[2].properties[0].transforms[0].op');

    const unknownProperty = specError({
      ...cdr,
      entities: [
        { key: 'p', schema: 'Phone', properties: [{ property: 'cellId', value: { column: 'c' } }] },
      ],
    });
    expect(unknownProperty.message).toBe(
      'entities[0].properties[0].property: Phone has no property "cellId"',
    );

    expect(
      specError({ ...cdr, source: { kind: 'delimited', timeZone: 'Mars/Olympus' } }).path,
    ).toBe('source.timeZone');
    expect(
      specError({
        ...cdr,
        entities: [
          {
            key: 'c',
            schema: 'Call',
            properties: [{ property: 'caller', value: { entity: 'nobody' } }],
          },
        ],
      }).path,
    ).toBe('entities[0].properties[0].value.entity');
    expect(
      specError({
        ...cdr,
        entities: [
          {
            key: 'c',
            schema: 'Call',
            properties: [
              {
                property: 'startDate',
                value: { column: 's' },
                transforms: [{ op: 'date', pattern: 'HH:mm' }],
              },
            ],
          },
        ],
      }).path,
    ).toBe('entities[0].properties[0].transforms[0].pattern');
    expect(specError({ ...cdr, include: [{ column: 'a', op: 'matches', value: '(' }] }).path).toBe(
      'include[0].value',
    );
    expect(specError({ ...cdr, version: 0 }).path).toBe('version');
  });

  it('refuses text that is not JSON with its own code', () => {
    expect(() => parseImportSpecText('{')).toThrow(
      expect.objectContaining({ code: 'spec.not-json' }),
    );
  });
});

describe('docs/import.md', () => {
  it('shows a specification that parses', () => {
    const doc = readFileSync(new URL('../../docs/import.md', import.meta.url), 'utf8');
    const block = /```json\n([\s\S]*?)```/.exec(doc)![1]!;
    const spec = parseImportSpecText(block);
    expect(spec.name).toBe('cdr-vienna');
    expect(spec.entities.map((e) => e.key)).toEqual(['caller', 'callee', 'call']);
  });
});

import { ImportSpecError } from './errors.ts';
import type { ImportSpec } from './types.ts';

export function parseImportSpec(json: unknown): ImportSpec {
  void json;
  throw new ImportSpecError('spec.invalid', 'not implemented yet');
}

export const BUILT_IN_SPECS: Readonly<Record<'cdr' | 'bank' | 'entities', ImportSpec>> = {
  cdr: stub('cdr'),
  bank: stub('bank'),
  entities: stub('entities'),
};

function stub(name: string): ImportSpec {
  return {
    format: 'tessera-import-spec',
    formatVersion: 1,
    name,
    version: 1,
    source: { kind: 'delimited' },
    entities: [],
  };
}

export function specByName(name: string): ImportSpec | undefined {
  return Object.hasOwn(BUILT_IN_SPECS, name)
    ? BUILT_IN_SPECS[name as keyof typeof BUILT_IN_SPECS]
    : undefined;
}

// A small slice of the FollowTheMoney schema hierarchy: enough to make a filter on a parent
// schema admit its descendants and to tell whether two entities may describe the same thing.
// Schemata not listed here are treated as leaves directly under Thing.

const PARENTS: Record<string, readonly string[]> = {
  Thing: [],
  LegalEntity: ['Thing'],
  Person: ['LegalEntity'],
  Organization: ['LegalEntity'],
  Company: ['Organization', 'Asset'],
  PublicBody: ['Organization'],
  Asset: ['Thing'],
  Vehicle: ['Asset'],
  Vessel: ['Vehicle'],
  Airplane: ['Vehicle'],
  RealEstate: ['Asset'],
  BankAccount: ['Asset'],
  CryptoWallet: ['Asset'],
  Security: ['Asset'],
  Address: ['Thing'],
  Document: ['Thing', 'Analyzable'],
  Event: ['Thing', 'Analyzable'],
  Passport: ['Identification'],
  Identification: ['Interval'],
};

const ancestorCache = new Map<string, Set<string>>();

/** The schema itself plus every ancestor known to the table. */
function schemaAncestors(schema: string): ReadonlySet<string> {
  let set = ancestorCache.get(schema);
  if (set) return set;
  set = new Set([schema]);
  const stack = [...(PARENTS[schema] ?? ['Thing'])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (set.has(next)) continue;
    set.add(next);
    stack.push(...(PARENTS[next] ?? []));
  }
  ancestorCache.set(schema, set);
  return set;
}

/** Whether `schema` is `parent` or descends from it. */
export function isSchemaA(schema: string, parent: string): boolean {
  return schemaAncestors(schema).has(parent);
}

/**
 * Whether two entities of these schemata could be merged: one must descend from the other
 * (Person and LegalEntity yes; Person and Company no; Company and Organization yes).
 */
export function schemataCompatible(a: string, b: string): boolean {
  return isSchemaA(a, b) || isSchemaA(b, a);
}

/** Of two compatible schemata, the more specific one (used when merging). */
export function moreSpecificSchema(a: string, b: string): string {
  return isSchemaA(b, a) && a !== b ? b : a;
}

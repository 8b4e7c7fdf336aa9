/**
 * Property name → values, with no prototype: names read from outside files ("constructor",
 * "__proto__", "toString") are ordinary keys, never Object.prototype's members.
 */
export function valueBag(): Record<string, string[]> {
  return Object.create(null) as Record<string, string[]>;
}

import { ulid } from 'ulid';

/** A new stable record id: a ULID, so ids sort by creation time and never collide across agencies. */
export function newId(): string {
  return ulid();
}

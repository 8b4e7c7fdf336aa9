import { DEFAULT_MARKINGS, UNGRADED } from '../../model/index.ts';
import type { ImportRunOptions } from '../types.ts';

export function runOptions(overrides: Partial<ImportRunOptions> = {}): ImportRunOptions {
  return {
    caseId: '01HZZZZZZZZZZZZZZZZZZZCASE',
    agencyId: 'at.bk',
    userName: 'analyst',
    now: '2026-01-05T10:00:00.000Z',
    fileName: 'calls.csv',
    fileSha256: 'a'.repeat(64),
    grading: UNGRADED,
    markings: DEFAULT_MARKINGS,
    ...overrides,
  };
}

export async function* chunksOf(bytes: Uint8Array, size = 7): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    // Chunks arrive later, as from a file or a network stream.
    await Promise.resolve();
    yield bytes.subarray(at, at + size);
  }
}

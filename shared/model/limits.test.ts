import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lengthProblem, NOTE_BODY_LIMIT, noteSizeProblem, SHORT_TEXT_LIMIT } from './limits.ts';
import { caseRecordSchema, noteRecordSchema } from './recordSchemas.ts';

describe('text limits', () => {
  it('names the length and the limit of a 20,000-character name', () => {
    expect(lengthProblem('Title', 'x'.repeat(20_000), SHORT_TEXT_LIMIT)).toBe(
      'Title is 20,000 characters; the limit is 1,024',
    );
    expect(lengthProblem('Title', 'x'.repeat(SHORT_TEXT_LIMIT), SHORT_TEXT_LIMIT)).toBeUndefined();
  });

  it('flags a text exactly when it is longer than the limit', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 1, max: 50 }), (text, limit) => {
        expect(lengthProblem('Name', text, limit) !== undefined).toBe(text.length > limit);
      }),
    );
  });

  it('says a 2 MB note is too big in megabytes, before any save', () => {
    expect(noteSizeProblem('a'.repeat(2_000_000))).toBe('Note is 2.0 MB; the limit is 1 MB');
    expect(noteSizeProblem('a'.repeat(NOTE_BODY_LIMIT))).toBeUndefined();
  });

  it('agrees with the record schemas at the boundary', () => {
    const noteBody = noteRecordSchema.shape.body;
    expect(noteBody.safeParse('a'.repeat(NOTE_BODY_LIMIT)).success).toBe(true);
    expect(noteBody.safeParse('a'.repeat(NOTE_BODY_LIMIT + 1)).success).toBe(false);
    const title = caseRecordSchema.shape.title;
    expect(title.safeParse('a'.repeat(SHORT_TEXT_LIMIT)).success).toBe(true);
    expect(title.safeParse('a'.repeat(SHORT_TEXT_LIMIT + 1)).success).toBe(false);
  });
});

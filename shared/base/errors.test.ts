import { describe, expect, it } from 'vitest';
import { errorMessage } from './errors.ts';

describe('errorMessage', () => {
  it('gives an error’s message, or the thrown value as text', () => {
    expect(errorMessage(new TypeError('bad input'))).toBe('bad input');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(null)).toBe('null');
  });

  it('never throws, whatever was thrown', () => {
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(errorMessage(hostile)).toBe('an error that cannot be printed');
    expect(errorMessage(Object.create(null))).toBe('an error that cannot be printed');
  });
});

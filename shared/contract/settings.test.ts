import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, isIdentityUnset } from './settings.ts';

describe('first-start identity (issue 12)', () => {
  it('asks while the name is the default, and stops once a real name is set', () => {
    expect(isIdentityUnset(DEFAULT_SETTINGS)).toBe(true);
    expect(isIdentityUnset({ userName: '  ' })).toBe(true);
    expect(isIdentityUnset({ userName: 'Insp. Ana Vlad' })).toBe(false);
  });
});

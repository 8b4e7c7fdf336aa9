import { describe, expect, it } from 'vitest';
import { rejectionCode } from './rejectionCode.ts';

class SampleError extends Error {
  constructor(readonly code: 'sample-code') {
    super('sample');
  }
}

describe('rejectionCode', () => {
  it('gives the code of the expected error, undefined on success, and names any other error', async () => {
    expect(await rejectionCode(Promise.reject(new SampleError('sample-code')), SampleError)).toBe(
      'sample-code',
    );
    expect(
      await rejectionCode(() => {
        throw new SampleError('sample-code');
      }, SampleError),
    ).toBe('sample-code');
    expect(await rejectionCode(Promise.resolve(1), SampleError)).toBeUndefined();
    expect(await rejectionCode(Promise.reject(new TypeError('boom')), SampleError)).toBe(
      'not a SampleError: TypeError: boom',
    );
  });
});

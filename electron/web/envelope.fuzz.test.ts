/**
 * The WebSocket envelope's fuzz targets at test size (`npm run fuzz` runs them at 10,000): generated
 * and mutated `/rpc` texts through parseRpcRequest + dispatch, and mutated frames over real sockets.
 */
import { describe, expect, it } from 'vitest';
import { fuzzEnvelope, fuzzFrames } from './fixtures/envelopeFuzz.ts';

describe('WebSocket envelope fuzzing', () => {
  it('answers every generated or mutated /rpc text without a crash, hang or malformed answer', async () => {
    const result = await fuzzEnvelope(1000, 8);
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ crashes: 0, inputs: 1000 });
  });

  it('keeps answering after a few hundred mutated frames on real sockets', async () => {
    const result = await fuzzFrames(300, 8);
    expect(result.failures).toEqual([]);
    expect(result).toMatchObject({ crashes: 0, inputs: 300 });
  });
});

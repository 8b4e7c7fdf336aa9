import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureFromError, parseRpcRequest, replyOf } from './bridge.ts';
import { ServiceError } from './dispatch.ts';

describe('parseRpcRequest', () => {
  it('reads a well-formed request', () => {
    expect(parseRpcRequest('{"id":1,"method":"app.info","input":{}}')).toEqual({
      ok: true,
      request: { id: 1, method: 'app.info', input: {} },
    });
    expect(parseRpcRequest('{"id":"u","method":"settings.get"}')).toEqual({
      ok: true,
      request: { id: 'u', method: 'settings.get', input: undefined },
    });
  });

  it.each([
    ['not JSON', 'not json', null],
    ['truncated JSON', '{"id":1,"method":"app.in', null],
    ['JSON null', 'null', null],
    ['a number', '42', null],
    ['an array', '[1,"app.info",{}]', null],
    ['no id', '{"method":"app.info"}', null],
    ['an object id', '{"id":{},"method":"app.info"}', null],
    ['an infinite id (1e400)', '{"id":1e400,"method":"app.info"}', null],
    ['a long string id', JSON.stringify({ id: 'x'.repeat(129), method: 'app.info' }), null],
    ['no method', '{"id":7}', 7],
    ['a numeric method', '{"id":7,"method":3}', 7],
    ['an empty method', '{"id":7,"method":""}', 7],
    ['a huge method name', JSON.stringify({ id: 7, method: 'm'.repeat(200) }), 7],
  ])('refuses %s with invalid-input, keeping a usable id', (_name, text, id) => {
    expect(parseRpcRequest(text)).toMatchObject({
      ok: false,
      id,
      error: { code: 'invalid-input' },
    });
  });

  it('takes id and method only from the object itself, never from its prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.method = 'settings.update';
    proto.id = 9;
    try {
      expect(parseRpcRequest('{"input":{}}')).toMatchObject({ ok: false, id: null });
    } finally {
      delete proto.method;
      delete proto.id;
    }
    const parsed = parseRpcRequest('{"__proto__":{"id":1,"method":"app.info"}}');
    expect(parsed).toMatchObject({ ok: false, id: null });
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.json(),
          fc
            .record({ id: fc.jsonValue(), method: fc.jsonValue(), input: fc.jsonValue() })
            .map((value) => JSON.stringify(value)),
        ),
        (text) => {
          const parsed = parseRpcRequest(text);
          expect(typeof parsed.ok).toBe('boolean');
          if (parsed.ok) expect(typeof parsed.request.method).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('failureFromError', () => {
  it('keeps a ServiceError code and calls anything else failed', () => {
    expect(failureFromError(new ServiceError('nope', 'invalid-input'))).toEqual({
      code: 'invalid-input',
      message: 'nope',
    });
    expect(failureFromError(new Error('boom'))).toEqual({ code: 'failed', message: 'boom' });
    expect(failureFromError('text')).toEqual({ code: 'failed', message: 'text' });
  });

  it('does not throw on a thrown value whose toString throws, or a hostile Proxy', async () => {
    const hostile = {
      toString() {
        throw new Error('gotcha');
      },
    };
    const trap = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('gotcha');
        },
      },
    );
    expect(failureFromError(hostile)).toMatchObject({ code: 'failed' });
    expect(failureFromError(trap)).toMatchObject({ code: 'failed' });
    await expect(
      replyOf(() => {
        // A handler (or a library under it) may throw anything; that is the point of the test.
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw hostile;
      }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'failed' } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import NodeWebSocket from 'ws';
import type { Browser } from 'playwright-core';
import { launchBrowser, openApp, screenshot, startHost } from './harness/index.ts';
import type { TestHost } from './harness/index.ts';

let host: TestHost;
let browser: Browser;

beforeAll(async () => {
  host = await startHost();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
});

// Named apart from the browser's WebSocket used inside page.evaluate below.
/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new NodeWebSocket(url, origin ? { origin } : {});
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', () => resolve(0));
  });
}

describe('smoke', () => {
  it('loads the app and reaches app.info over the WebSocket', async () => {
    const app = await openApp(browser, host);
    try {
      expect(app.response?.status()).toBe(200);
      const headers = app.response?.headers() ?? {};
      expect(headers['content-security-policy']).toContain("script-src 'self'");
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(await app.page.title()).toBe('Tessera');

      // The app's service client takes the token out of the address and keeps it for reloads.
      await app.page.waitForFunction(
        () => sessionStorage.getItem('tessera.webToken') !== null,
        undefined,
        {
          timeout: 30_000,
        },
      );
      expect(await app.page.evaluate(() => sessionStorage.getItem('tessera.webToken'))).toBe(
        host.token,
      );
      expect(app.page.url()).not.toContain('token=');

      // The page's own origin passes the host's checks (CSP connect-src, Origin, token).
      const info = await app.page.evaluate(
        (token) =>
          new Promise<unknown>((resolve, reject) => {
            const ws = new WebSocket(
              `ws://${location.host}/rpc?token=${encodeURIComponent(token)}`,
            );
            ws.onerror = () => reject(new Error('WebSocket refused'));
            ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: 'app.info', input: {} }));
            ws.onmessage = (event) => {
              resolve(JSON.parse(String(event.data)));
              ws.close();
            };
          }),
        host.token,
      );
      expect(info).toMatchObject({ id: 1, ok: true, result: { name: 'Tessera', carrier: 'web' } });

      await screenshot(app.page, 'smoke-start');
      app.assertNoExternalRequests();
      expect(app.pageErrors).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('refuses a WebSocket with a wrong token or a foreign Origin', async () => {
    const base = `ws://127.0.0.1:${host.port}/rpc`;
    expect(await upgradeStatus(`${base}?token=${host.token}`, host.origin)).toBe(101);
    expect(await upgradeStatus(`${base}?token=not-the-token`, host.origin)).toBe(403);
    expect(await upgradeStatus(`${base}`, host.origin)).toBe(403);
    expect(await upgradeStatus(`${base}?token=${host.token}`, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(`${base}?token=${host.token}`)).toBe(403);
  });
});

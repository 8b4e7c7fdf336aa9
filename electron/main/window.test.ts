import { describe, expect, it } from 'vitest';
import { handleInvoke } from './ipc.ts';
import { buildMenuTemplate } from './menu.ts';
import {
  CONTENT_SECURITY_POLICY,
  decideNavigation,
  decidePermission,
  decideWindowOpen,
  isAppUrl,
  isRequestAllowed,
  withSecurityHeaders,
} from './policy.ts';
import { buildWindowOptions } from './window.ts';
import { fitToDisplays } from './windowState.ts';
import type { ServiceHandlers } from '../../shared/contract/index.ts';
import { DEFAULT_SETTINGS } from '../../shared/contract/index.ts';

const INDEX = 'file:///opt/Tessera/resources/app.asar/dist/renderer/index.html';

describe('BrowserWindow options', () => {
  it('turns every renderer privilege off and sets the preload', () => {
    const options = buildWindowOptions({ preloadPath: '/app/dist/electron/preload.cjs' });
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      preload: '/app/dist/electron/preload.cjs',
    });
  });

  it('uses remembered bounds but cannot be talked out of the security options', () => {
    const options = buildWindowOptions({
      preloadPath: '/p.cjs',
      bounds: { x: 10, y: 20, width: 1000, height: 700 },
    });
    expect(options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, show: false });
    expect(options.webPreferences?.sandbox).toBe(true);
  });
});

describe('navigation and window policy', () => {
  it('allows only the app index, whatever its fragment', () => {
    expect(decideNavigation(INDEX, INDEX)).toBe('allow');
    expect(decideNavigation(`${INDEX}#/case/1`, INDEX)).toBe('allow');
    expect(decideNavigation('https://example.org/', INDEX)).toBe('deny');
    expect(decideNavigation('file:///etc/passwd', INDEX)).toBe('deny');
    expect(
      decideNavigation('file:///opt/Tessera/resources/app.asar/dist/renderer/other.html', INDEX),
    ).toBe('deny');
    expect(decideNavigation('javascript:alert(1)', INDEX)).toBe('deny');
    expect(decideNavigation('not a url', INDEX)).toBe('deny');
    expect(isAppUrl(undefined, INDEX)).toBe(false);
  });

  it('denies every new window and every permission', () => {
    expect(decideWindowOpen(INDEX)).toBe('deny');
    expect(decideWindowOpen('https://example.org/')).toBe('deny');
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fullscreen',
    ]) {
      expect(decidePermission(permission)).toBe('deny');
    }
  });
});

describe('request filter', () => {
  it('lets local resources through and blocks the network', () => {
    expect(isRequestAllowed(INDEX)).toBe(true);
    expect(
      isRequestAllowed('file:///opt/Tessera/resources/app.asar/dist/renderer/assets/index-abc.js'),
    ).toBe(true);
    expect(isRequestAllowed('devtools://devtools/bundled/inspector.html')).toBe(true);
    expect(isRequestAllowed('data:image/png;base64,AAAA')).toBe(true);
    expect(isRequestAllowed('blob:file:///1234')).toBe(true);
    for (const url of [
      'https://example.org/',
      'http://127.0.0.1:8080/',
      'ws://127.0.0.1:8080/rpc',
      'wss://example.org/',
      'ftp://example.org/',
      'chrome-extension://abc/x.js',
      'garbage',
    ]) {
      expect(isRequestAllowed(url), url).toBe(false);
    }
  });

  it('puts the CSP on file responses, replacing any other', () => {
    const headers = withSecurityHeaders({
      'content-security-policy': ['default-src *'],
      Other: 'x',
    });
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(headers['content-security-policy']).toBeUndefined();
    expect(headers.Other).toEqual(['x']);
    expect(headers['X-Content-Type-Options']).toEqual(['nosniff']);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    // WebAssembly (Argon2id) may compile; JavaScript eval may not.
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY.split('; ').find((d) => d.startsWith('script-src'))).toBe(
      "script-src 'self' 'wasm-unsafe-eval'",
    );
  });
});

describe('IPC', () => {
  const handlers = {
    'app.info': () =>
      Promise.resolve({
        name: 'Tessera',
        version: '1',
        carrier: 'electron',
        platform: 'linux',
        dataDir: '/d',
      }),
    'settings.get': () => Promise.resolve(DEFAULT_SETTINGS),
    'settings.update': () => Promise.resolve(DEFAULT_SETTINGS),
    'files.export': () => Promise.resolve({ path: null }),
  } as unknown as ServiceHandlers;

  it('answers the app page and refuses other senders', async () => {
    await expect(handleInvoke(handlers, INDEX, INDEX, 'app.info', {})).resolves.toMatchObject({
      ok: true,
      result: { carrier: 'electron' },
    });
    await expect(
      handleInvoke(handlers, INDEX, 'https://evil.example/', 'app.info', {}),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    await expect(handleInvoke(handlers, INDEX, undefined, 'app.info', {})).resolves.toMatchObject({
      ok: false,
    });
  });

  it('returns contract errors as envelopes', async () => {
    await expect(handleInvoke(handlers, INDEX, INDEX, 'shell.exec', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'unknown-method' },
    });
    await expect(
      handleInvoke(handlers, INDEX, INDEX, 'app.info', { extra: 1 }),
    ).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
  });
});

describe('menu', () => {
  it('has the standard menus and no item that opens anything remote', () => {
    for (const platform of ['linux', 'win32', 'darwin']) {
      const template = buildMenuTemplate(platform);
      const labels = template.map((item) => item.label);
      expect(labels).toEqual(expect.arrayContaining(['File', 'Edit', 'View', 'Window', 'Help']));
      const text = JSON.stringify(template);
      expect(text).not.toMatch(/https?:|openExternal/);
      // The only clicks send a command id to the window; the page's key handler owns the keys.
      const sent: string[] = [];
      const withSend = buildMenuTemplate(platform, 'Tessera', (id) => sent.push(id));
      const items = withSend.flatMap((item) => (Array.isArray(item.submenu) ? item.submenu : []));
      for (const item of items) {
        if (item.click) {
          expect(item.registerAccelerator).toBe(false);
          (item.click as () => void)();
        }
      }
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((id) => /^[a-zA-Z]+$/.test(id))).toBe(true);
    }
  });
});

describe('window state', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('keeps a position that is on screen', () => {
    const state = { x: 100, y: 50, width: 1200, height: 800, maximized: false };
    expect(fitToDisplays(state, screen)).toEqual(state);
  });

  it('drops a position on a monitor that is gone and shrinks to the display', () => {
    const fitted = fitToDisplays(
      { x: 4000, y: 50, width: 2500, height: 800, maximized: true },
      screen,
    );
    expect(fitted).toEqual({ width: 1920, height: 800, maximized: true });
  });
});

/**
 * The security decisions of the desktop app as pure functions, so they are unit-tested without
 * Electron: which navigations, requests and IPC senders are the app's own, and the CSP shared with
 * the web host and the renderer's meta tag.
 *
 * The model is offline first: the renderer is one local file, it may talk to nothing but its own
 * files and the service contract, and nothing it loads may open another page or window.
 */

/**
 * Must stay equal to the meta CSP in renderer/index.html, plus `frame-ancestors`, which only a
 * header can carry.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // Argon2id for the case store's passphrase is WebAssembly (hash-wasm, issue 10). 'wasm-unsafe-eval'
  // lets the page compile WebAssembly and nothing else: eval and new Function stay refused.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self' ws://127.0.0.1:*",
  "worker-src 'self' blob:",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function parse(url: string | undefined | null): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for the app's own index file, whatever its hash or query (the router may use the hash). */
export function isAppUrl(url: string | undefined | null, appIndexUrl: string): boolean {
  const target = parse(url);
  const index = parse(appIndexUrl);
  if (!target || !index || target.protocol !== 'file:' || index.protocol !== 'file:') return false;
  return target.host === index.host && target.pathname === index.pathname;
}

export type Decision = 'allow' | 'deny';

/** Navigation (will-navigate / will-redirect): only back to the app itself. */
export function decideNavigation(url: string, appIndexUrl: string): Decision {
  return isAppUrl(url, appIndexUrl) ? 'allow' : 'deny';
}

/** window.open, target=_blank, middle clicks: never; an external link is not followed either. */
export function decideWindowOpen(_url: string): Decision {
  return 'deny';
}

/** Camera, microphone, geolocation, notifications, clipboard-read…: the workbench needs none. */
export function decidePermission(_permission: string): Decision {
  return 'deny';
}

/**
 * webRequest filter: the app's files, the developer tools, and in-memory data/blob URLs. Every
 * http(s), ws(s), ftp… request is cancelled, so nothing in a case can reach the network.
 */
export function isRequestAllowed(url: string): boolean {
  const target = parse(url);
  if (!target) return false;
  switch (target.protocol) {
    case 'file:':
    case 'data:':
    case 'blob:':
    case 'devtools:':
    case 'chrome-devtools:':
      return true;
    default:
      return false;
  }
}

/** IPC is answered only for the app's own top-level page, never for a frame that came from elsewhere. */
export function isTrustedSender(
  senderUrl: string | undefined | null,
  appIndexUrl: string,
): boolean {
  return isAppUrl(senderUrl, appIndexUrl);
}

/** Response headers for file:// responses, where Electron lets us add them. */
export function withSecurityHeaders(
  headers: Record<string, string[] | string> | undefined,
): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === 'content-security-policy') continue;
    result[key] = Array.isArray(value) ? value : [value];
  }
  result['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  result['X-Content-Type-Options'] = ['nosniff'];
  result['Referrer-Policy'] = ['no-referrer'];
  return result;
}

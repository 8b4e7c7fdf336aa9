/**
 * Applies the decisions of policy.ts to Electron objects. Kept thin: every choice is made by a
 * pure function there; this file only hooks them in. Electron is passed in, never imported, so
 * the module loads under plain Node for tests.
 */
import type { Session, WebContents } from 'electron';
import {
  decideNavigation,
  decidePermission,
  decideWindowOpen,
  isRequestAllowed,
  withSecurityHeaders,
} from './policy.ts';

export function applySessionPolicies(session: Session): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isRequestAllowed(details.url) });
  });
  // Electron does not always run this hook for file:// (the meta CSP in index.html is the one
  // that always holds), but where it does the header makes the policy independent of the HTML.
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withSecurityHeaders(details.responseHeaders) });
  });
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    callback(decidePermission(permission) === 'allow');
  });
  session.setPermissionCheckHandler(
    (_contents, permission) => decidePermission(permission) === 'allow',
  );
}

export function hardenWebContents(contents: WebContents, appIndexUrl: string): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (decideNavigation(url, appIndexUrl) === 'deny') event.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-frame-navigate', (event) => {
    if (decideNavigation(event.url, appIndexUrl) === 'deny') event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => ({ action: decideWindowOpen(url) }));
}

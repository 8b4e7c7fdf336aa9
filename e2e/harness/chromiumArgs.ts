/**
 * The flags every headless Chromium run uses (e2e tests and the benches): no sandbox, GPU or
 * background traffic, so a run reaches nothing but the local web host. Kept apart from the e2e
 * harness so the benches can import it without pulling in vitest.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

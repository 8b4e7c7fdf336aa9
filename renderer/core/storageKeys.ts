/**
 * Keys this page keeps in localStorage, beside the case database of the same browser profile.
 * Shared by the shell's start-up (which loads the demo case once) and the case list (which offers
 * to remove it), so they live below both.
 */
export const DEMO_CASE_KEY = 'tessera.demoCaseId';

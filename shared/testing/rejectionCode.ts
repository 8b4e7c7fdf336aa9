/**
 * The code carried by the error that `work` fails with, for tests that branch on codes (STYLE
 * item 15): `undefined` when it succeeds, the error's `code` when it is an `errorClass`, and a
 * description that equals no code when it is some other error, so that the test's assertion shows it.
 */
export async function rejectionCode(
  work: Promise<unknown> | (() => unknown),
  errorClass: abstract new (...args: never[]) => Error & { readonly code: string },
): Promise<string | undefined> {
  try {
    await (typeof work === 'function' ? work() : work);
    return undefined;
  } catch (error) {
    return error instanceof errorClass ? error.code : `not a ${errorClass.name}: ${String(error)}`;
  }
}

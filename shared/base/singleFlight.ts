/**
 * Runs an async action at most once at a time. A second call while the first is still pending gets
 * the same promise instead of starting the action again, so a double-click on "Create case" (issue
 * 12) creates one case, not two. Once the action settles, the next call runs it afresh.
 */
export function singleFlight<A extends readonly unknown[], R>(
  action: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let pending: Promise<R> | undefined;
  return (...args: A) => {
    if (pending) return pending;
    const run = action(...args).finally(() => {
      pending = undefined;
    });
    pending = run;
    return run;
  };
}

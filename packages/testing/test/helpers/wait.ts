/**
 * Resolves with the first defined value of `check`, tried now and again each time something calls the wakers in
 * `wakers`; rejects after `timeoutMs` with `what()` in the message (a function, so it can tell the latest state).
 */
export function waitUntil<T>(wakers: Set<() => void>, check: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const timer = setTimeout(() => {
      wakers.delete(retry);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
    }, timeoutMs);
    const retry = () => {
      const value = check();
      if (value === undefined) return;
      clearTimeout(timer);
      wakers.delete(retry);
      resolve(value);
    };
    wakers.add(retry);
  });
}

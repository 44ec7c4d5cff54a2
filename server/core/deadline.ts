/**
 * `promise`, or a failure that names what was awaited once `ms` have passed: a wait on something
 * that never comes says what it was, instead of running out whoever's timeout is outside (a test
 * runner's, a user's patience). The promise itself is not cancelled.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${Math.round(ms / 1000)} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

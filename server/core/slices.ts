/**
 * Long work in slices: `breathe()` gives the event loop back once `sliceMs` have passed since it
 * last did, so requests of every service are answered while a preview or a backfill walks a
 * service's history. Await it in the loop of the work; it costs nothing between slices.
 */
export function slices(sliceMs = 5): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < sliceMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

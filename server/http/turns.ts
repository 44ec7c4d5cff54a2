/**
 * Turns per key: `run` waits until fewer than `limit` of the key's work run, then runs, in the
 * order asked. With `maxWaiting`, work past that many waiting is refused at once (`refusal()` is
 * thrown) instead of queued without end while each waiting request holds its connection.
 */
export class Turns {
  private readonly running = new Map<string, number>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(
    private readonly limit: number,
    private readonly maxWaiting = Infinity,
    private readonly refusal: () => Error = () => new Error('Too much work waiting'),
  ) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    if ((this.running.get(key) ?? 0) >= this.limit) {
      const queue = this.waiting.get(key) ?? this.waiting.set(key, []).get(key)!;
      if (queue.length >= this.maxWaiting) throw this.refusal();
      await new Promise<void>((resolve) => queue.push(resolve));
    } else this.running.set(key, (this.running.get(key) ?? 0) + 1);
    try {
      return await work();
    } finally {
      // The turn passes to the next in line, or is given back.
      const next = this.waiting.get(key)?.shift();
      if (this.waiting.get(key)?.length === 0) this.waiting.delete(key);
      if (next) next();
      else if ((this.running.get(key) ?? 0) > 1) this.running.set(key, this.running.get(key)! - 1);
      else this.running.delete(key);
    }
  }
}

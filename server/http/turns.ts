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

/**
 * Turns shared by all keys: at most `limit` run at once, whoever they are for. The waiting are
 * served one key after the other (round robin), so a key that asks for a flood of work waits
 * behind itself, not in front of the others; and each key may have at most `maxWaitingPerKey`
 * waiting, so one key's flood is refused (`refusal()` is thrown) while the others still get in.
 */
export class SharedTurns {
  private running = 0;
  /** Keys in the order their turn comes; a key is here only while some of its work waits. */
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(
    private readonly limit: number,
    private readonly maxWaitingPerKey: number,
    private readonly refusal: () => Error = () => new Error('Too much work waiting'),
  ) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      const queue = this.waiting.get(key) ?? this.waiting.set(key, []).get(key)!;
      if (queue.length >= this.maxWaitingPerKey) throw this.refusal();
      // The turn is handed over with `running` unchanged: the finished work's place is this one's.
      await new Promise<void>((resolve) => queue.push(resolve));
    } else this.running++;
    try {
      return await work();
    } finally {
      this.passOn();
    }
  }

  /** Work waiting now, per key: for tests and figures. */
  waitingFor(key: string): number {
    return this.waiting.get(key)?.length ?? 0;
  }

  private passOn(): void {
    const first = this.waiting.entries().next();
    if (first.done) {
      this.running--;
      return;
    }
    const [key, queue] = first.value;
    const next = queue.shift()!;
    // The key goes to the back of the line, behind every other key that waits.
    this.waiting.delete(key);
    if (queue.length > 0) this.waiting.set(key, queue);
    next();
  }
}

// The parts of autocannon 9 that the benchmark uses (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      /** Requests to send in all; the load ends there (duration is then ignored). */
      amount?: number;
      timeout?: number;
      pipelining?: number;
      headers?: Record<string, string>;
      requests?: Request[];
    }
    interface Histogram {
      mean: number;
      max: number;
      min: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      sent: number;
    }
    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      resets: number;
      non2xx: number;
      '2xx': number;
      statusCodeStats?: Record<string, { count: number }>;
      latency: Histogram;
      requests: Histogram;
      throughput: Histogram;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}

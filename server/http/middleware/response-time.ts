import type { Middleware } from 'koa';

/**
 * `X-Response-Time: 3ms`, which every answer of the original API carried and some integrations
 * log. Whole milliseconds, as the original wrote them. Koa and the fast path both use this.
 */
export const responseTime = (started: number): string => `${Math.round(performance.now() - started)}ms`;

/** Outermost middleware: the time covers error rendering too. */
export const timeResponses: Middleware = async (ctx, next) => {
  const started = performance.now();
  try {
    await next();
  } finally {
    ctx.set('X-Response-Time', responseTime(started));
  }
};

import type { KeptAnswer, Use } from './ports.js';

/** A first use whose answer is reported at most once, however often the caller reports it. */
export function firstUse(report: (answer: KeptAnswer | null) => void): Use {
  let settled = false;
  return {
    first: true,
    answered: (answer) => {
      if (settled) return;
      settled = true;
      report(answer);
    },
  };
}

import type { Domain } from '../core/domain.js';
import { newKey } from '../keys.js';

/** The `demo` service the demo pages show: a few users with badges of every type. */
export async function seedDemo(domain: Domain): Promise<{ service: string; key: string }> {
  const key = newKey();
  await domain.createService('demo', key);
  await domain.putBadges('demo', [
    { name: 'donated', fields: { description: 'Donated at least $5', link: '/badges/donated', type: 'gold' } },
    { name: 'popular', fields: { description: 'Post has at least 100 views', link: '/badges/popular', type: 'silver' } },
    { name: 'commenter', fields: { description: 'Posted at least 25 comments', link: '/badges/commenter', type: 'bronze' } },
    { name: 'reviewer', fields: { description: 'Reviewed 10 recipes', type: 'bronze' } },
    { name: 'founder', fields: { description: 'Joined in the first month', link: '/badges/founder', type: 'gold' } },
  ]);
  const day = (n: number) => new Date(Date.UTC(2026, 9, n, 12));
  await domain.award('demo', 'daniel', ['donated', 'popular', 'commenter'], day(1));
  await domain.award('demo', 'daniel', ['donated'], day(8));
  await domain.award('demo', 'bob', ['commenter', 'reviewer'], day(3));
  await domain.award('demo', 'bob', ['commenter', 'commenter', 'founder'], day(12));
  await domain.award('demo', 'alice', ['founder', 'popular', 'donated'], day(5));
  return { service: 'demo', key };
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BadgeFields } from '../../types/api.js';
import type { Domain } from '../core/domain.js';
import { newKey } from '../core/service-key.js';
import { packageRoot } from '../config/package-root.js';

/** The learning program of /demo/learning.html; the widget's tests serve the same file. */
const LEARNING = () => join(packageRoot(), 'demo/learning-seed.json');

interface LearningProgram {
  service: string;
  badges: ({ name: string } & BadgeFields)[];
  awards: { user: string; badges: string[]; at: string }[];
  progress: Record<string, Record<string, number>>;
}

/**
 * The `demo` service the demo pages show, a few users with badges of every type; with `learning`,
 * also the `learning` service of /demo/learning.html (what `serve` seeds).
 */
export async function seedDemo(domain: Domain, { learning = false } = {}): Promise<{ service: string; key: string }> {
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
  if (learning) await seedLearning(domain);
  return { service: 'demo', key };
}

/** A second site: a learning program whose badges have images, goals and progress. */
async function seedLearning(domain: Domain): Promise<void> {
  const { service, badges, awards, progress } = JSON.parse(await readFile(LEARNING(), 'utf8')) as LearningProgram;
  await domain.createService(service, newKey());
  await domain.putBadges(service, badges.map(({ name, ...fields }) => ({ name, fields })));
  for (const { user, badges, at } of awards) await domain.award(service, user, badges, new Date(at));
  for (const [user, made] of Object.entries(progress)) await domain.setProgress(service, user, made);
}

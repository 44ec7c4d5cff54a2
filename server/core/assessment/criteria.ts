import type { BadgeFields } from '../../../types/api.js';

/** A criterion an application is reviewed against. */
export interface Criterion {
  id: string;
  description: string;
  required: boolean;
}

/**
 * A badge's criteria (its `criteria` field, see types/schema.ts): a narrative for people, and the
 * items reviews judge. A badge registered before the field had a meaning may hold anything in it:
 * what is not criteria reads as none.
 */
export function criteriaOf(fields: BadgeFields): { narrative: string; items: Criterion[] } {
  const criteria = fields.criteria;
  if (typeof criteria !== 'object' || criteria === null || Array.isArray(criteria)) return { narrative: '', items: [] };
  const items = Array.isArray(criteria.items) ? criteria.items : [];
  return {
    narrative: typeof criteria.narrative === 'string' ? criteria.narrative : '',
    items: items.flatMap((item) =>
      typeof item === 'object' && item !== null && !Array.isArray(item) && typeof item.id === 'string'
        ? [{ id: item.id, description: typeof item.description === 'string' ? item.description : '', required: item.required === true }]
        : [],
    ),
  };
}

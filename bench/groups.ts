import { access } from './access.js';
import { events } from './events.js';
import { fairness } from './fairness.js';
import { fairnessRules } from './fairness-rules.js';
import { growth } from './growth.js';
import type { Group } from './lib/group.js';
import { live } from './live.js';
import { lowdb100k } from './lowdb-100k.js';
import { openBadgesGroup } from './openbadges.js';
import { postgres100k } from './postgres-100k.js';
import { reads10k } from './reads-10k.js';
import { widget } from './widget-figures.js';

/** Every group of figures, in the order a full run measures them: a new group is one line here. */
export const GROUPS: readonly Group[] = [reads10k, lowdb100k, postgres100k, access, widget, events, fairness, fairnessRules, live, openBadgesGroup, growth];

/** French, a chunk: every message of the widget (see `en` in ../../i18n.ts for what each says). */
import type { Messages } from '../../i18n.js';

export default {
  badges: 'Badges',
  loading: 'Chargement des badges',
  none: 'Aucun badge pour l’instant',
  unavailable: 'Badges indisponibles',
  plus: '+{n}',
  more: { one: '{n} autre badge', other: '{n} autres badges' },
  gold: 'Badge or',
  silver: 'Badge argent',
  bronze: 'Badge bronze',
  tier: 'Badge {tier}',
  awarded: { one: 'Décerné le {date}', other: 'Décerné {n} fois, dernièrement le {date}' },
  unearned: 'Pas encore obtenu',
  inProgress: 'En cours',
  progressOf: 'En cours\u202f: {current} sur {goal}',
  progress: 'Progression',
  of: '{current} sur {goal}',
  inAll: { one: '{n} décerné au total', other: '{n} décernés au total' },
  golds: { one: '{n} badge or', other: '{n} badges or' },
  silvers: { one: '{n} badge argent', other: '{n} badges argent' },
  bronzes: { one: '{n} badge bronze', other: '{n} badges bronze' },
  others: { one: '{n} autre badge', other: '{n} autres badges' },
  earned: { one: 'Obtenu le {date}', other: 'Obtenu {n} fois, dernièrement le {date}' },
  untagged: 'Autres',
} satisfies Messages;

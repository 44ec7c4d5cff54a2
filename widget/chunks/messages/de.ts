/** German, a chunk: every message of the widget (see `en` in ../../i18n.ts for what each says). */
import type { Messages } from '../../i18n.js';

export default {
  badges: 'Abzeichen',
  loading: 'Abzeichen werden geladen',
  none: 'Noch keine Abzeichen',
  unavailable: 'Abzeichen nicht verfügbar',
  plus: '+{n}',
  more: { one: '{n} weiteres Abzeichen', other: '{n} weitere Abzeichen' },
  gold: 'Gold-Abzeichen',
  silver: 'Silber-Abzeichen',
  bronze: 'Bronze-Abzeichen',
  tier: 'Abzeichen „{tier}“',
  awarded: { one: 'Verliehen am {date}', other: '{n}-mal verliehen, zuletzt am {date}' },
  unearned: 'Noch nicht erhalten',
  inProgress: 'In Arbeit',
  progressOf: 'In Arbeit: {current} von {goal}',
  progress: 'Fortschritt',
  of: '{current} von {goal}',
  inAll: 'Insgesamt {n}-mal verliehen',
  golds: '{n} Gold-Abzeichen',
  silvers: '{n} Silber-Abzeichen',
  bronzes: '{n} Bronze-Abzeichen',
  others: { one: '{n} weiteres Abzeichen', other: '{n} weitere Abzeichen' },
  earned: { one: 'Erhalten am {date}', other: '{n}-mal erhalten, zuletzt am {date}' },
  untagged: 'Weitere',
} satisfies Messages;

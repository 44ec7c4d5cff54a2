/** Spanish, a chunk: every message of the widget (see `en` in ../../i18n.ts for what each says). */
import type { Messages } from '../../i18n.js';

export default {
  badges: 'Insignias',
  loading: 'Cargando insignias',
  none: 'Aún no tiene insignias',
  unavailable: 'Insignias no disponibles',
  plus: '+{n}',
  more: { one: '{n} insignia más', other: '{n} insignias más' },
  gold: 'Insignia de oro',
  silver: 'Insignia de plata',
  bronze: 'Insignia de bronce',
  tier: 'Insignia «{tier}»',
  awarded: { one: 'Otorgada el {date}', other: 'Otorgada {n} veces, la última el {date}' },
  unearned: 'Aún no conseguida',
  inProgress: 'En curso',
  progressOf: 'En curso: {current} de {goal}',
  progress: 'Progreso',
  of: '{current} de {goal}',
  inAll: { one: '{n} otorgada en total', other: '{n} otorgadas en total' },
  golds: { one: '{n} insignia de oro', other: '{n} insignias de oro' },
  silvers: { one: '{n} insignia de plata', other: '{n} insignias de plata' },
  bronzes: { one: '{n} insignia de bronce', other: '{n} insignias de bronce' },
  others: { one: '{n} otra insignia', other: '{n} otras insignias' },
  earned: { one: 'Conseguida el {date}', other: 'Conseguida {n} veces, la última el {date}' },
  untagged: 'Otras',
} satisfies Messages;

/** Brazilian Portuguese, a chunk: every message of the widget (see `en` in ../../i18n.ts for what each says). */
import type { Messages } from '../../i18n.js';

export default {
  badges: 'Medalhas',
  loading: 'Carregando medalhas',
  none: 'Nenhuma medalha ainda',
  unavailable: 'Medalhas indisponíveis',
  plus: '+{n}',
  more: { one: 'mais {n} medalha', other: 'mais {n} medalhas' },
  gold: 'Medalha de ouro',
  silver: 'Medalha de prata',
  bronze: 'Medalha de bronze',
  tier: 'Medalha “{tier}”',
  awarded: { one: 'Concedida em {date}', other: 'Concedida {n} vezes, a última em {date}' },
  unearned: 'Ainda não conquistada',
  inProgress: 'Em andamento',
  progressOf: 'Em andamento: {current} de {goal}',
  progress: 'Progresso',
  of: '{current} de {goal}',
  inAll: { one: '{n} concedida no total', other: '{n} concedidas no total' },
  golds: { one: '{n} medalha de ouro', other: '{n} medalhas de ouro' },
  silvers: { one: '{n} medalha de prata', other: '{n} medalhas de prata' },
  bronzes: { one: '{n} medalha de bronze', other: '{n} medalhas de bronze' },
  others: { one: '{n} outra medalha', other: '{n} outras medalhas' },
  earned: { one: 'Conquistada em {date}', other: 'Conquistada {n} vezes, a última em {date}' },
  untagged: 'Outras',
} satisfies Messages;

/** Japanese, a chunk: every message of the widget (see `en` in ../../i18n.ts for what each says). */
import type { Messages } from '../../i18n.js';

export default {
  badges: 'バッジ',
  loading: 'バッジを読み込み中',
  none: 'バッジはまだありません',
  unavailable: 'バッジを表示できません',
  plus: '+{n}',
  more: 'ほか{n}個のバッジ',
  gold: '金バッジ',
  silver: '銀バッジ',
  bronze: '銅バッジ',
  tier: '{tier}バッジ',
  awarded: { '=1': '{date}に獲得', other: '{n}回獲得（最終: {date}）' },
  unearned: '未獲得',
  inProgress: '進行中',
  progressOf: '進行中: {current}/{goal}',
  progress: '進捗',
  of: '{current}/{goal}',
  inAll: '累計{n}回授与',
  golds: '金バッジ{n}個',
  silvers: '銀バッジ{n}個',
  bronzes: '銅バッジ{n}個',
  others: 'その他のバッジ{n}個',
  earned: { '=1': '{date}に獲得', other: '{n}回獲得（最終: {date}）' },
  untagged: 'その他',
} satisfies Messages;

/** Arabic, a chunk: every message of the widget (see `en` in ../../i18n.ts for what each says). */
import type { Messages } from '../../i18n.js';

export default {
  badges: 'الشارات',
  loading: 'جارٍ تحميل الشارات',
  none: 'لا توجد شارات بعد',
  unavailable: 'الشارات غير متاحة',
  plus: '+{n}',
  more: { one: 'شارة واحدة أخرى', two: 'شارتان أخريان', few: '{n} شارات أخرى', other: '{n} شارة أخرى' },
  gold: 'شارة ذهبية',
  silver: 'شارة فضية',
  bronze: 'شارة برونزية',
  tier: 'شارة «{tier}»',
  awarded: {
    one: 'مُنحت في {date}',
    two: 'مُنحت مرتين، آخرها في {date}',
    few: 'مُنحت {n} مرات، آخرها في {date}',
    other: 'مُنحت {n} مرة، آخرها في {date}',
  },
  unearned: 'لم تُكتسب بعد',
  inProgress: 'قيد التقدم',
  progressOf: 'قيد التقدم: {current} من {goal}',
  progress: 'التقدم',
  of: '{current} من {goal}',
  inAll: { one: 'مُنحت مرة واحدة إجمالًا', two: 'مُنحت مرتين إجمالًا', few: 'مُنحت {n} مرات إجمالًا', other: 'مُنحت {n} مرة إجمالًا' },
  golds: { one: 'شارة ذهبية واحدة', two: 'شارتان ذهبيتان', few: '{n} شارات ذهبية', other: '{n} شارة ذهبية' },
  silvers: { one: 'شارة فضية واحدة', two: 'شارتان فضيتان', few: '{n} شارات فضية', other: '{n} شارة فضية' },
  bronzes: { one: 'شارة برونزية واحدة', two: 'شارتان برونزيتان', few: '{n} شارات برونزية', other: '{n} شارة برونزية' },
  others: { one: 'شارة أخرى واحدة', two: 'شارتان أخريان', few: '{n} شارات أخرى', other: '{n} شارة أخرى' },
  earned: {
    one: 'اكتُسبت في {date}',
    two: 'اكتُسبت مرتين، آخرها في {date}',
    few: 'اكتُسبت {n} مرات، آخرها في {date}',
    other: 'اكتُسبت {n} مرة، آخرها في {date}',
  },
  untagged: 'أخرى',
} satisfies Messages;

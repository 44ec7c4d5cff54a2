/**
 * What the community of the cross-origin demo says: a bread-baking forum, "Crumb & Crust", in
 * English and in Arabic. Members are the users of seed.json (their badges come from the display
 * server); `pat` and `karim` are new, unknown to it.
 */

/** Display names and avatar colours of the members. */
export const MEMBERS = {
  mira: { name: 'Mira Kovač', ar: 'ميرا كوفاتش', title: { en: 'Moderator', ar: 'مشرفة' }, colour: 1 },
  kenji: { name: 'Kenji Sato', ar: 'كينجي ساتو', title: { en: 'Regular', ar: 'عضو دائم' }, colour: 2 },
  sofia: { name: 'Sofia Marín', ar: 'صوفيا مارين', colour: 3 },
  amara: { name: 'Amara Obi', ar: 'أمارا أوبي', colour: 4 },
  lukas: { name: 'Lukas Brandt', ar: 'لوكاس برانت', colour: 5 },
  noor: { name: 'Noor Haddad', ar: 'نور حداد', colour: 6 },
  tomasz: { name: 'Tomasz Wójcik', ar: 'توماش فويتشيك', colour: 7 },
  ines: { name: 'Inês Costa', ar: 'إينيس كوستا', colour: 8 },
  femi: { name: 'Femi Adeyemi', ar: 'فيمي أديمي', title: { en: 'Leader', ar: 'قائد' }, colour: 3 },
  hana: { name: 'Hana Novak', ar: 'هانا نوفاك', colour: 1 },
  olek: { name: 'Olek Zieliński', ar: 'أوليك زيلينسكي', colour: 2 },
  pat: { name: 'Pat Quinn', ar: 'بات كوين', title: { en: 'New member', ar: 'عضو جديد' }, colour: 7 },
  yusuf: { name: 'Yusuf Karam', ar: 'يوسف كرم', colour: 5 },
  layla: { name: 'Layla Mansour', ar: 'ليلى منصور', title: { en: 'Leader', ar: 'قائدة' }, colour: 6 },
  omar: { name: 'Omar Said', ar: 'عمر سعيد', colour: 4 },
  salma: { name: 'Salma Idris', ar: 'سلمى إدريس', colour: 8 },
  karim: { name: 'Karim Nassar', ar: 'كريم نصار', title: { en: 'New member', ar: 'عضو جديد' }, colour: 2 },
};

/** The words of the site itself. */
export const UI = {
  en: {
    site: 'Crumb & Crust',
    tagline: 'A forum for home bakers',
    latest: 'Latest',
    categories: 'Categories',
    badges: 'Badges',
    search: 'Search',
    category: 'Sourdough',
    replies: 'replies',
    views: 'views',
    likes: 'likes',
    reply: 'Reply',
    share: 'Share',
    solution: 'Solution',
    participants: 'Most active in this topic',
    created: 'created',
    lastReply: 'last reply',
    joined: 'Joined',
    posts: 'Posts',
    likesReceived: 'Likes received',
    daysVisited: 'Days visited',
    featured: 'Featured badges',
    badgesEarned: 'Badges earned',
    allBadges: 'Badges',
    allBadgesNote: 'Earned, in progress and still to earn. Hover or focus a badge to read how.',
    activity: 'Activity',
    summary: 'Summary',
    scheme: 'Colours',
    light: 'Light',
    dark: 'Dark',
    auto: 'System',
    language: 'Language',
    thread: 'Thread',
    profile: 'Profile',
    about: 'Bread is mostly patience. Ask anything, share your crumb shots, and be kind to beginners.',
  },
  ar: {
    site: 'لبّ وقشرة',
    tagline: 'منتدى الخبّازين في البيت',
    latest: 'الأحدث',
    categories: 'الأقسام',
    badges: 'الشارات',
    search: 'بحث',
    category: 'الخميرة الطبيعية',
    replies: 'ردود',
    views: 'مشاهدات',
    likes: 'إعجابات',
    reply: 'رد',
    share: 'مشاركة',
    solution: 'الحل',
    participants: 'الأكثر مشاركة في الموضوع',
    created: 'أُنشئ',
    lastReply: 'آخر رد',
    joined: 'انضم',
    posts: 'المشاركات',
    likesReceived: 'الإعجابات',
    daysVisited: 'أيام الزيارة',
    featured: 'شارات مميزة',
    badgesEarned: 'الشارات المكتسبة',
    allBadges: 'الشارات',
    allBadgesNote: 'المكتسبة، وقيد التقدم، وما بقي منها. مرّر المؤشر على شارة أو انتقل إليها لتعرف كيف تُكتسب.',
    activity: 'النشاط',
    summary: 'ملخص',
    scheme: 'الألوان',
    light: 'فاتح',
    dark: 'داكن',
    auto: 'النظام',
    language: 'اللغة',
    thread: 'الموضوع',
    profile: 'الملف الشخصي',
    about: 'الخبز صبرٌ قبل كل شيء. اسأل عمّا تشاء، وشارك صور لبّ خبزك، وكن لطيفًا مع المبتدئين.',
  },
};

/** The thread, in each language: a title and posts (who, when, likes, paragraphs). */
export const THREADS = {
  en: {
    title: 'My starter smells like nail polish remover. Is it dead?',
    posts: [
      ['amara', '2026-11-28T08:12:00Z', 3, [
        'I started my first sourdough starter twelve days ago. It doubled nicely in the first week, but since Sunday it barely rises and smells sharply of nail polish remover.',
        'I feed it 1:1:1 (starter, water, flour) once a day with all-purpose flour. Kitchen is about 19 °C. Did I kill it?',
      ]],
      ['mira', '2026-11-28T09:03:00Z', 18, [
        'Welcome, Amara! It is almost certainly alive. That acetone smell is what a hungry starter gives off: the yeast and bacteria have eaten everything and are producing ethyl acetate.',
        'Feed it more, and more often: try 1:5:5 twice a day for a few days. It should smell like yoghurt again by the weekend.',
      ]],
      ['kenji', '2026-11-28T09:40:00Z', 9, [
        'Seconding Mira. At 19 °C it will also be slow. I keep mine on top of the fridge in winter, which is a few degrees warmer.',
      ]],
      ['sofia', '2026-11-28T10:15:00Z', 6, [
        'A spoonful of whole rye in each feed helps a lot too. Rye has more of everything the microbes like.',
      ]],
      ['amara', '2026-11-28T11:30:00Z', 2, ['Thanks everyone! 1:5:5 means five times the starter in flour, and the same in water? That is a lot of flour to throw away.']],
      ['lukas', '2026-11-28T12:02:00Z', 11, [
        'You only keep a tablespoon of starter, so it is not that much: 15 g starter, 75 g water, 75 g flour.',
        'And the discard makes excellent crackers. Or pancakes.',
      ]],
      ['tomasz', '2026-11-28T13:47:00Z', 1, ['Pancakes with discard are the best part of having a starter, honestly.']],
      ['noor', '2026-11-28T15:20:00Z', 14, [
        'One thing nobody mentioned: check the water. If your tap water is heavily chlorinated, leave it out overnight or use filtered water for a week and see if it perks up.',
      ]],
      ['femi', '2026-11-28T17:05:00Z', 22, [
        'Good advice all round. A way to see what is going on: put a rubber band on the jar at the level right after feeding. Note how high it gets and how long it takes. Feed it when it has just peaked, not hours after it collapsed.',
        'After a week of that you will know its rhythm better than any ratio from a forum can tell you.',
      ]],
      ['amara', '2026-11-29T07:55:00Z', 4, ['Day one of 1:5:5 with a bit of rye: it rose by half in seven hours, and the smell is already softer. 🎉']],
      ['pat', '2026-11-29T08:30:00Z', 0, ['Same problem here, subscribing. Mine has a grey liquid on top, is that the same thing?']],
      ['mira', '2026-11-29T08:51:00Z', 7, [
        'Hi Pat, welcome! The grey liquid is called hooch: alcohol, the same sign of hunger. Pour it off (or stir it in for a tangier bread) and feed as above.',
      ]],
      ['hana', '2026-11-29T10:10:00Z', 5, ['Mine did exactly this last winter. Warmer spot plus two feeds a day fixed it in four days.']],
      ['ines', '2026-11-29T12:40:00Z', 2, ['Does it matter if the jar is glass or plastic?']],
      ['kenji', '2026-11-29T13:05:00Z', 6, ['Not really. Glass is easier to clean and to see through; avoid reactive metals.']],
      ['sofia', '2026-11-30T09:22:00Z', 3, ['Amara, post a crumb shot once you bake with it!']],
      ['olek', '2026-11-30T18:00:00Z', 1, ['Lurker here: this thread saved my starter too. Thank you all.']],
      ['amara', '2026-12-02T19:30:00Z', 31, [
        'Update: it doubles in five hours now and smells like apples and yoghurt. Baked my first loaf last night, picture below. Open crumb, a bit dense at the bottom, but I am so happy.',
        'Marking Mira\u2019s reply as the solution. Thank you all!',
      ]],
      ['femi', '2026-12-02T20:04:00Z', 8, ['That is a fine first loaf. The dense bottom usually means it needed another half hour of bulk fermentation. Next time!']],
      ['mira', '2026-12-03T08:00:00Z', 4, ['Lovely. Closing the loop here; new questions about the bake are welcome in a new topic.']],
    ],
  },
  ar: {
    title: 'لماذا لا ينتفخ عجين الخميرة الطبيعية عندي؟',
    posts: [
      ['omar', '2026-11-30T07:10:00Z', 2, [
        'أخبز بالخميرة الطبيعية منذ شهر. الخميرة نفسها نشيطة وتتضاعف في ست ساعات، لكن العجين بعد التشكيل يبقى مسطحًا ولا ينتفخ في الفرن.',
        'أستخدم دقيقًا أبيض عاديًا ونسبة ماء ٧٥٪. ما الخطأ الذي أرتكبه؟',
      ]],
      ['layla', '2026-11-30T07:48:00Z', 16, [
        'أهلًا عمر! غالبًا المشكلة في التخمير الأول لا في الخميرة. كم ساعة تترك العجين قبل التشكيل، وفي أي حرارة؟',
        'ابحث عن عجين ازداد حجمه بنحو النصف، وسطحه مقبب وفيه فقاعات على الجوانب.',
      ]],
      ['yusuf', '2026-11-30T08:30:00Z', 9, ['ونسبة ٧٥٪ عالية قليلًا مع الدقيق العادي. جرّب ٦٨٪ حتى تتقن الشد والطي.']],
      ['omar', '2026-11-30T09:05:00Z', 1, ['أتركه أربع ساعات في مطبخ حرارته نحو ٢٠ درجة.']],
      ['noor', '2026-11-30T10:12:00Z', 12, [
        'أربع ساعات في ٢٠ درجة قليلة جدًا. في هذه الحرارة قد يحتاج التخمير الأول سبع ساعات أو أكثر. راقب العجين لا الساعة.',
      ]],
      ['salma', '2026-11-30T11:40:00Z', 5, ['وضعُ العجين في وعاء شفاف مستقيم الجوانب يسهّل رؤية الزيادة في الحجم.']],
      ['karim', '2026-11-30T13:00:00Z', 0, ['عندي المشكلة نفسها، أتابع الموضوع.']],
      ['layla', '2026-11-30T13:22:00Z', 6, ['أهلًا بك يا كريم! جرّب النصائح أعلاه وأخبرنا بالنتيجة.']],
      ['amara', '2026-11-30T15:35:00Z', 4, ['I had a similar problem: longer bulk fermentation fixed it for me too. Good luck, Omar!']],
      ['omar', '2026-12-02T19:00:00Z', 21, [
        'جرّبت سبع ساعات ونسبة ماء ٧٠٪: انتفخ الرغيف أخيرًا وانفتح الشق بشكل جميل! شكرًا لكم جميعًا، وسأعتمد رد نور حلًا.',
      ]],
    ],
  },
};

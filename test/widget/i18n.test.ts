/**
 * The page's language: every text from the catalogue of the element's `lang` (else its nearest
 * ancestor's, up to `<html lang>`), dates, numbers and plurals by `Intl` in that locale; German,
 * French, Spanish, Brazilian Portuguese, Japanese and Arabic shipped, each a chunk loaded only when
 * a page asks for it; right-to-left pages mirrored; sites add or override messages.
 */
import { messages, setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, learningServer, mount, server, settled, waitFor } from './helpers.js';

setDefaultServer(server);

const one = (attrs: string, wrap = '') => {
  const host = mount(wrap ? wrap.replace('%', `<user-badges service="test" ${attrs}></user-badges>`) : `<user-badges service="test" ${attrs}></user-badges>`);
  return host.querySelector('user-badges') as UserBadgesElement;
};
const details = (el: Element, i = 0) => [...$$(el, '.userbadge')[i]!.querySelectorAll('.details > *')].map((d) => d.textContent);
/** The chunks this page has loaded so far (their file names, from the resource timings). */
const chunksLoaded = () =>
  performance
    .getEntriesByType('resource')
    .map((e) => /\/chunks\/(.+?)\.(?:js|ts)\b/.exec(e.name)?.[1])
    .filter(Boolean);

describe('the page language', () => {
  it('a German page shows German text and German dates and numbers', async () => {
    const el = one('user="daniel"', '<div lang="de">%</div>');
    await settled(el);
    const [title, tier, , when, all] = details(el);
    equal([title, tier], ['donated', 'Gold-Abzeichen']);
    const latest = new Date(el.badges[0]!.latest!);
    equal(when, `2-mal verliehen, zuletzt am ${new Intl.DateTimeFormat('de', { dateStyle: 'medium' }).format(latest)}`);
    assert(/^Insgesamt [\d.]+-mal verliehen$/.test(all!), all);
    equal($(el, 'ul')!.getAttribute('aria-label'), 'Abzeichen');
    // A German date (06.12.2026), whatever the browser's language.
    assert(/^\d{2}\.\d{2}\.\d{4}$/.test($(el, 'time')!.textContent!), $(el, 'time')!.textContent!);
  });

  it('the element\'s own lang wins, and a region takes its language (de-AT, pt-PT)', async () => {
    const [fr, at, pt] = [one('user="nobody-at-all" lang="fr"', '<div lang="de">%</div>'), one('user="nobody-at-all" lang="de-AT"'), one('user="nobody-at-all" lang="pt-PT"')];
    await Promise.all([fr, at, pt].map((el) => settled(el)));
    equal([fr, at, pt].map((el) => $(el, '[part=status]')!.textContent), ['Aucun badge pour l’instant', 'Noch keine Abzeichen', 'Nenhuma medalha ainda']);
  });

  it('every shipped catalogue has every message; Japanese and Spanish show', async () => {
    for (const [lang, none] of [
      ['es', 'Aún no tiene insignias'],
      ['ja', 'バッジはまだありません'],
      ['ar', 'لا توجد شارات بعد'],
    ]) {
      const el = one(`user="nobody-at-all" lang="${lang}"`);
      await settled(el);
      equal($(el, '[part=status]')!.textContent, none, lang);
    }
  });

  it('plurals follow the language: Arabic two and few, Japanese without', async () => {
    const el = one('user="mira" variant="summary" lang="ar"');
    await settled(el);
    const said = $$(el, '.tally .vh').map((t) => t.textContent);
    const count = (tier: string) => el.badges.filter((b) => b.type == tier).reduce((n, b) => n + b.count, 0);
    const rules = new Intl.PluralRules('ar');
    equal(rules.select(count('gold')), 'two');
    equal(said[0], 'شارتان ذهبيتان');
    equal(rules.select(count('bronze')), 'few');
    equal(said[2], `${new Intl.NumberFormat('ar').format(count('bronze'))} شارات برونزية`);
    const ja = one('user="mira" variant="summary" lang="ja"');
    await settled(ja);
    equal($(ja, '.tally .vh')!.textContent, `金バッジ${count('gold')}個`);
  });

  it('an Arabic page is mirrored: badges from right to left, the popover too', async () => {
    const el = one('user="mira" max="3"', '<div lang="ar" dir="rtl" style="width: 700px">%</div>');
    await settled(el);
    const [a, b] = $$(el, 'ul > li').slice(0, 2).map((li) => li.getBoundingClientRect());
    assert(a!.left > b!.left, `the first badge on the right: ${a!.left} > ${b!.left}`);
    equal(getComputedStyle($(el, 'ul')!).direction, 'rtl');
    equal($(el, 'button.more .vh')!.textContent!.includes('شار'), true);
    // The tier icon is at the start of the badge: on its right.
    const badge = $(el, '.userbadge[data-type]')!;
    const name = badge.querySelector('.name')!.getBoundingClientRect();
    const r = badge.getBoundingClientRect();
    assert(r.right - name.right > name.left - r.left, 'the icon on the right of the name');
  });

  it('no lang anywhere: English; an invalid lang: English', async () => {
    const html = document.documentElement;
    const before = html.getAttribute('lang');
    html.removeAttribute('lang');
    try {
      const [a, b] = [one('user="nobody-at-all"'), one('user="nobody-at-all" lang="not a tag!"')];
      await Promise.all([a, b].map((el) => settled(el)));
      equal([a, b].map((el) => $(el, '[part=status]')!.textContent), ['No badges yet', 'No badges yet']);
    } finally {
      if (before != null) html.setAttribute('lang', before);
    }
  });

  it('follows <html lang> when the page changes it', async () => {
    const html = document.documentElement;
    const before = html.getAttribute('lang');
    const el = one('user="nobody-at-all"');
    await settled(el);
    try {
      html.lang = 'es';
      await waitFor(() => $(el, '[part=status]')!.textContent == 'Aún no tiene insignias', 'Spanish after <html lang="es">');
    } finally {
      if (before != null) html.setAttribute('lang', before);
      else html.removeAttribute('lang');
    }
  });
});

describe('messages of the site', () => {
  it('UserBadges.messages(lang, {...}) overrides and adds, and redraws the elements', async () => {
    const el = one('user="nobody-at-all" lang="de"');
    await settled(el);
    equal($(el, '[part=status]')!.textContent, 'Noch keine Abzeichen');
    messages('de', { none: 'Hier glänzt noch nichts' });
    await waitFor(() => $(el, '[part=status]')!.textContent == 'Hier glänzt noch nichts', 'the override drawn');
    // A language the widget does not ship, with a plural message; the rest falls back to English.
    messages('nl', { none: 'Nog geen badges', more: { one: 'nog {n} badge', other: 'nog {n} badges' } });
    const [nl, row] = [one('user="nobody-at-all" lang="nl"'), one('user="mira" max="1" lang="nl-BE"')];
    await Promise.all([settled(nl), settled(row)]);
    equal($(nl, '[part=status]')!.textContent, 'Nog geen badges');
    equal($(row, 'button.more .vh')!.textContent, `nog ${row.badges.length - 1} badges`);
    equal($(row, 'ul')!.getAttribute('aria-label'), 'Badges', 'English for what the site did not give');
  });
});

describe('catalogues are chunks', () => {
  it('loaded only when a page asks for them, once', async () => {
    const before = chunksLoaded();
    const el = one('user="nobody-at-all" lang="pt-BR"');
    await settled(el);
    const added = chunksLoaded().filter((c) => !before.includes(c));
    // (Other languages were loaded by the tests above; Brazilian Portuguese only by pt-PT there.)
    assert(!added.some((c) => /messages\/(?!pt-BR)/.test(c!)), 'no other catalogue: ' + added.join());
    const again = chunksLoaded().length;
    await settled(one('user="nobody-at-all" lang="pt"'));
    equal(chunksLoaded().length, again, 'loaded once');
    assert(chunksLoaded().includes('messages/pt-BR'));
  });

  it('an English page of the classic script loads no catalogue', async () => {
    const iframe = document.createElement('iframe');
    iframe.src = '/__ub/forum.html';
    iframe.style.cssText = 'width: 800px; height: 600px';
    document.body.append(iframe);
    await new Promise((r) => (iframe.onload = r));
    const win = iframe.contentWindow!;
    const els = [...iframe.contentDocument!.querySelectorAll('user-badges')];
    await waitFor(() => els.every((e) => !['idle', 'loading'].includes(e.getAttribute('state')!)), 'the forum drawn', 15_000);
    const chunks = win.performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/chunks/'));
    assert(chunks.length > 0 && chunks.every((n) => n.startsWith(server + '/widget/chunks/')), 'chunks from the script\'s origin: ' + chunks.join());
    assert(!chunks.some((n) => n.includes('/messages/')), 'no catalogue: ' + chunks.join());
    iframe.remove();
  });
});

describe('the learning program in French: states and progress', () => {
  it('says "Pas encore obtenu" and "En cours : 3 sur 5"', async () => {
    const el = mount(`<user-badges lang="fr" server="${learningServer}" service="learning" user="theo" show="all"></user-badges>`).firstElementChild as UserBadgesElement;
    await settled(el);
    const texts = $$(el, '.details > span:nth-last-child(2)').map((s) => s.textContent);
    assert(texts.includes('Pas encore obtenu'), texts.join(' | '));
    assert(texts.some((t) => /^En cours\u202f: \d+ sur \d+$/.test(t!)), texts.join(' | '));
    equal($(el, '[role=progressbar]')!.getAttribute('aria-label'), 'Progression');
  });
});

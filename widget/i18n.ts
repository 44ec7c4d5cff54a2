/**
 * The page's language: every text the widget shows is a message of a catalogue, chosen by the
 * element's `lang` (or an ancestor's, up to `<html lang>`), with dates, numbers and plurals
 * formatted by `Intl` in that same locale. English is built in; the other shipped catalogues are
 * chunks, loaded the first time a page asks for them; a site adds or overrides messages with
 * {@link addMessages} (`UserBadges.messages(lang, {...})`).
 *
 * A message is a string with `{name}` placeholders, or, where a number decides the wording, an
 * object of plural forms (`{ one: '{n} badge', other: '{n} badges' }`, the categories of
 * `Intl.PluralRules` or an exact `'=1'`, `other` required). Numbers put into a message are
 * formatted in the locale.
 */

/**
 * A message: a string, or its forms by the number `n`: an exact number (`'=1'`) or a category of
 * `Intl.PluralRules` (`zero`, `one`, `two`, `few`, `many`), else `other` (required).
 */
export type Message = string | ({ other: string } & Record<string, string>);

/**
 * The English messages built into the script. Views loaded as chunks bring English defaults of
 * their own (the grid's and the summary's); a catalogue has every key.
 */
export const en = {
  /** The list's accessible name. */
  badges: 'Badges',
  /** The loading placeholder's text for screen readers. */
  loading: 'Loading badges',
  /** A user with no badge, or unknown to the server. */
  none: 'No badges yet',
  /** The badges could not be loaded. */
  unavailable: 'Badges unavailable',
  /** The tier of a badge, in its details; `tier` for any other `type`, which is `{tier}`. */
  gold: 'Gold badge',
  silver: 'Silver badge',
  bronze: 'Bronze badge',
  tier: '{tier} badge',
  /** When the user earned the badge: `{n}` times, the last on `{date}`. */
  awarded: { one: 'Awarded on {date}', other: 'Awarded {n} times, last on {date}' } as Message,
  /** How many times the badge was awarded, all users together. */
  inAll: '{n} awarded in all',
};

/** Every message the widget shows, by key (the core's, the grid's and the summary's). */
export type Messages = Record<keyof typeof en | ViewMessageKey, Message>;

/** What a site may add: any message, and the headings of tags (`'#getting-started': 'Getting started'`, for `group="tags"`). */
export type SiteMessages = Partial<Messages> & { [tag: `#${string}`]: string };
/**
 * The keys of messages that chunks bring with their English defaults: the states' (`show="all"`),
 * the popover's (`plus`, the "+N" button's text, and `more`, its accessible name), the summary's
 * and the grid's.
 */
export type ViewMessageKey = 'unearned' | 'inProgress' | 'progressOf' | 'progress' | 'of' | 'plus' | 'more' | 'golds' | 'silvers' | 'bronzes' | 'others' | 'earned' | 'untagged';

/** The catalogues shipped as chunks (`messages/<lang>`), by language; English is built in. */
const SHIPPED: Record<string, string> = { __proto__: null as never, de: 'de', fr: 'fr', es: 'es', pt: 'pt-BR', ja: 'ja', ar: 'ar' };
// Pure: the script-tag bundle, which never reads it, keeps no call for it.
export const CATALOGUES: string[] = /* @__PURE__ */ Object.values(SHIPPED);

const base: Partial<Messages> = { ...en };
const loaded: Record<string, Partial<Messages>> = {};
const own: Record<string, Partial<Messages>> = {};

/** Adds or overrides messages of a language (a BCP 47 tag; `de` applies to `de-AT` too). */
export function addMessages(lang: string, messages: SiteMessages): void {
  Object.assign((own[lang.toLowerCase()] ||= {}), messages);
}

/** English defaults of the messages of a chunk (none of them a key of another). */
export const addDefaults = (messages: Partial<Messages>): void => void Object.assign(base, messages);

/** Records a shipped catalogue once its chunk has loaded. */
export const addCatalogue = (name: string, messages: Partial<Messages>): void => void (loaded[name] = messages);

/**
 * The shipped catalogue a language needs, by its first subtag: '' for English and for languages
 * the widget does not ship (`de-AT` takes `de`, `pt` and `pt-PT` take `pt-BR`).
 */
export const catalogueOf = (lang: string): string => SHIPPED[lang.split('-')[0]!.toLowerCase()] || '';

/** A language and everything the widget formats in it. */
export interface Locale {
  /** The message `key` with its placeholders filled (numbers formatted; `n` picks the plural form). */
  t(key: keyof Messages, vars?: Record<string, string | number>): string;
  /** A number in the locale. */
  num(n: number): string;
  /** A day (from an ISO time) in the locale's medium style. */
  day(iso: string | null): string;
}

const locales = new Map<string, Locale>();

/** The locale of a language tag; an invalid tag is English. */
export function localeOf(tag: string): Locale {
  let l = locales.get(tag);
  if (!l) {
    let plural: Intl.PluralRules, nf: Intl.NumberFormat, df: Intl.DateTimeFormat;
    try {
      plural = new Intl.PluralRules(tag);
      nf = new Intl.NumberFormat(tag);
      df = new Intl.DateTimeFormat(tag, { dateStyle: 'medium' });
    } catch {
      return localeOf('en'); // not a language tag
    }
    const low = tag.toLowerCase();
    // Most specific first: the site's for this tag, for its language, the shipped catalogue, the site's English, English.
    const chain = () => [own[low], own[low.split('-')[0]!], loaded[catalogueOf(tag)], own.en, base];
    const num = (n: number) => nf.format(n);
    locales.set(
      tag,
      (l = {
        num,
        day: (iso) => (iso ? df.format(new Date(iso)) : ''),
        t(key, vars = {}) {
          const m = chain().find((c) => c?.[key] != null)?.[key] ?? key;
          const s = typeof m == 'string' ? m : m['=' + vars.n] ?? m[plural.select(+vars.n!)] ?? m.other;
          return s.replace(/\{(\w+)\}/g, (all, k: string) => (k in vars ? (typeof vars[k] == 'number' ? num(vars[k]) : vars[k]) : all) as string);
        },
      }),
    );
  }
  return l;
}

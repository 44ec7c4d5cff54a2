import { createHash } from 'node:crypto';
import type { Domain } from '../../core/domain.js';
import { EMAIL_KIND } from '../../core/email.js';
import { ISSUER_KIND, issuerFrom, issuerOf } from '../../core/issuing/issuers.js';
import type { BadgeRecord, Item } from '../../core/model.js';
import { assignStatus, ensureIssuerKey, issuerKeys, rotateIssuerKey, STATUS_KIND, STATUS_LIST_KIND, statusList, type StatusPlace } from '../../core/openbadges.js';
import type { Store } from '../../core/ports.js';
import { AWARD_KIND, type AwardInstance } from '../../core/rules/instances.js';
import { keySecretOf, type OpenBadgesConfig } from '../../config/openbadges.js';
import * as ob from '../../openbadges/index.js';
import { HttpError } from '../errors.js';

/**
 * What the Open Badges routes serve, built from the store: the documents of an award, its badge and
 * its issuer, and the credentials, signed with the issuer's key (opened with the operator's secret
 * once per process) and kept in memory by a fingerprint of what they say, so a credential is signed
 * once however often it is read, and signed again when anything in it changes. A person's erasure
 * drops theirs from memory too (the store's change feed names the users a unit touched).
 */

/** One award with what its documents say: its badge, its holder, its issuer. */
export interface AwardView {
  id: string;
  user: string;
  award: AwardInstance;
  badge: BadgeRecord;
  issuer: string;
}

interface IssuerValue {
  name?: string;
  url?: string;
  email?: string;
  image?: string;
  description?: string;
}

/** The URLs of one service's Open Badges documents under an origin. */
export class Urls {
  readonly base: string;
  constructor(
    readonly origin: string,
    readonly service: string,
  ) {
    this.base = `${origin}/v1/${encodeURIComponent(service)}/openbadges`;
  }
  issuer = (issuer: string) => `${this.base}/issuers/${encodeURIComponent(issuer)}`;
  badgeClass = (badge: string) => `${this.base}/badges/${encodeURIComponent(badge)}`;
  badgeImage = (badge: string, format: 'png' | 'svg') => `${this.badgeClass(badge)}/image.${format}`;
  assertion = (award: string) => `${this.base}/assertions/${award}`;
  baked = (award: string, format: 'png' | 'svg') => `${this.assertion(award)}/badge.${format}`;
  profile = (issuer: string) => `${this.base}/v3/issuers/${encodeURIComponent(issuer)}`;
  achievement = (badge: string) => `${this.base}/v3/achievements/${encodeURIComponent(badge)}`;
  credential = (award: string) => `${this.base}/v3/credentials/${award}`;
  jwt = (award: string) => `${this.credential(award)}/jwt`;
  statusList = (issuer: string, list: number) => `${this.base}/v3/status/${encodeURIComponent(issuer)}/${list}`;
  page = (award: string) => `${this.base}/awards/${award}`;
  user = (name: string) => `${this.origin}/v1/${encodeURIComponent(this.service)}/users/${encodeURIComponent(name)}.json`;
}

/** The links a user read gives each award (issue 22): where its Open Badges are. */
export const openBadgesLinks = (urls: Urls, award: string) => ({ assertion: urls.assertion(award), credential: urls.credential(award), jwt: urls.jwt(award), page: urls.page(award) });

interface Signed {
  fingerprint: string;
  user: string;
  credential: ob.OpenBadgeCredential;
  jwt: string;
  verification?: ob.Verification;
}

const MAX_CACHED = 10_000;
const fingerprint = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

export class OpenBadges {
  readonly config: OpenBadgesConfig;
  private kek: Buffer | undefined;
  private readonly opened = new Map<string, ob.SigningKey>();
  private readonly signed = new Map<string, Signed>();
  private readonly lists = new Map<string, { fingerprint: string; credential: ob.StatusListCredential }>();

  constructor(
    private readonly store: Store,
    config: Partial<OpenBadgesConfig> = {},
  ) {
    this.config = { publicUrl: null, keySecret: null, production: false, ...config };
    store.feed.subscribe((change) => {
      for (const [key, entry] of this.signed) {
        if (!key.startsWith(`${change.service}\n`)) continue;
        if (change.all || change.users?.includes(entry.user)) this.signed.delete(key);
      }
    });
  }

  urls(origin: string, service: string): Urls {
    return new Urls(this.config.publicUrl ?? origin, service);
  }

  /** The award, or 404 (an id of another form too: ids are not guessable, and say nothing of who). */
  async award(service: string, id: string): Promise<AwardView> {
    const item = /^aw_[a-z2-7]{20}$/.test(id) ? await this.store.getItem(service, AWARD_KIND, id) : undefined;
    if (!item) throw new HttpError(404, 'award_not_found', `No award ${id} in service "${service}"`);
    const award = item.v as AwardInstance;
    const [badge] = await this.store.getBadges(service, [award.badge]);
    if (!badge) throw new HttpError(404, 'award_not_found', `The badge of award ${id} is gone`);
    return { id, user: item.subject ?? item.owner ?? '', award, badge, issuer: issuerOf(badge) };
  }

  async badge(service: string, name: string): Promise<BadgeRecord> {
    const [badge] = await this.store.getBadges(service, [name]);
    if (!badge) throw new HttpError(404, 'badge_not_found', `No badge "${name}" in service "${service}"`);
    return badge;
  }

  /**
   * What the issuer says of itself (core/issuing/issuers.ts): its profile, or for the default issuer
   * without one, the service, named after it and at the server's origin.
   */
  async issuer(service: string, slug: string, urls: Urls): Promise<ob.IssuerInput & { url: string }> {
    const record = await this.store.getService(service);
    const found = record && issuerFrom(record, slug, await this.store.getItem(service, ISSUER_KIND, slug));
    if (!found) throw new HttpError(404, 'issuer_not_found', `No issuer "${slug}" in service "${service}"`);
    return { id: urls.profile(slug), name: found.name, url: found.url ?? urls.origin, email: found.email, image: found.image, description: found.description };
  }

  /** The holder's first address, hashed into their documents; else their public page on this server. */
  async recipient(service: string, user: string, urls: Urls): Promise<{ type: 'email' | 'url'; identity: string }> {
    const [address] = await this.store.listItems(service, EMAIL_KIND, { owner: user, limit: 1 });
    return address ? { type: 'email', identity: address.id } : { type: 'url', identity: urls.user(user) };
  }

  // ---- Open Badges 2.0 (hosted) ----

  achievementInput(badge: BadgeRecord, urls: Urls, service: string): ob.AchievementInput {
    const fields = badge.fields as { title?: unknown; description?: unknown; image?: unknown; tags?: unknown; criteria?: unknown };
    const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : undefined);
    return {
      id: urls.achievement(badge.name),
      name: text(fields.title) ?? badge.name,
      description: text(fields.description) ?? `A badge of ${service}`,
      criteria: { narrative: criteriaNarrative(fields.criteria) ?? text(fields.description) ?? `Awarded by ${service}.` },
      image: typeof fields.image === 'string' && /^https?:\/\//.test(fields.image) ? fields.image : urls.badgeImage(badge.name, 'png'),
      tags: Array.isArray(fields.tags) ? fields.tags.filter((tag): tag is string => typeof tag === 'string') : undefined,
    };
  }

  async issuer2(service: string, slug: string, urls: Urls): Promise<object> {
    const issuer = await this.issuer(service, slug, urls);
    return ob.buildIssuer({ ...issuer, id: urls.issuer(slug) });
  }

  async badgeClass(service: string, name: string, urls: Urls): Promise<object> {
    const badge = await this.badge(service, name);
    const achievement = this.achievementInput(badge, urls, service);
    return ob.buildBadgeClass({ ...achievement, id: urls.badgeClass(name), image: achievement.image!, issuer: urls.issuer(issuerOf(badge)) });
  }

  async assertion(view: AwardView, service: string, urls: Urls): Promise<object> {
    return ob.buildAssertion({
      id: urls.assertion(view.id),
      badge: urls.badgeClass(view.badge.name),
      issuedOn: view.award.at,
      recipient: await this.recipient(service, view.user, urls),
      salt: view.id,
      image: urls.baked(view.id, 'png'),
      evidence: evidenceOf(view.award),
    });
  }

  // ---- Open Badges 3.0 (signed) ----

  /** The issuer's key that signs now, opened; made on first use. 503 in production without a secret. */
  async signingKey(domain: Domain, service: string, slug: string): Promise<ob.SigningKey> {
    const kek = this.keyEncryptionKey();
    const aad = `${service}/${slug}`;
    const keys = await domain.run(service, (tx) => ensureIssuerKey(tx, service, slug, () => ob.generateIssuerKey(aad, kek, tx.now.toISOString())));
    const active = ob.activeKey(keys)!;
    const cacheKey = `${service}\n${slug}\n${active.id}`;
    let opened = this.opened.get(cacheKey);
    if (!opened) {
      try {
        opened = ob.openIssuerKey(aad, active, kek);
      } catch (error) {
        if (error instanceof ob.KeySecretMismatch) throw signingUnavailable(`${error.message}; restore the secret the key was made with, or rotate the issuer's key`);
        throw error;
      }
      this.opened.set(cacheKey, opened);
    }
    return opened;
  }

  private keyEncryptionKey(): Buffer {
    if (this.kek) return this.kek;
    const secret = keySecretOf(this.config);
    if ('refused' in secret) throw signingUnavailable(secret.refused);
    return (this.kek = ob.keyEncryptionKey(secret.secret));
  }

  /** Whether this server can sign, and if not why: said at start, and on the award page. */
  signingRefusal(): string | undefined {
    const secret = keySecretOf(this.config);
    return 'refused' in secret ? secret.refused : undefined;
  }

  async rotate(domain: Domain, service: string, slug: string, urls: Urls): Promise<{ issuer: string; retired: string[]; key: string }> {
    await this.issuer(service, slug, urls);
    const kek = this.keyEncryptionKey();
    const result = await domain.run(service, (tx) => rotateIssuerKey(tx, service, slug, () => ob.generateIssuerKey(`${service}/${slug}`, kek, tx.now.toISOString())));
    return { issuer: slug, retired: result.retired, key: result.key.id };
  }

  async profile(service: string, slug: string, urls: Urls): Promise<ob.ProfileDocument> {
    const issuer = await this.issuer(service, slug, urls);
    return ob.buildProfile(issuer, await issuerKeys({ items: (s, kind, query) => this.store.listItems(s, kind, query ?? {}) }, service, slug));
  }

  /** The signed credential and JWT of an award: from memory when nothing in them changed. */
  async credential(domain: Domain, view: AwardView, service: string, urls: Urls): Promise<Signed> {
    const place = await this.statusPlace(domain, service, view);
    const issuer = await this.issuer(service, view.issuer, urls);
    const recipient = await this.recipient(service, view.user, urls);
    const key = await this.signingKey(domain, service, view.issuer);
    const unsigned = ob.buildCredential({
      id: urls.credential(view.id),
      issuer,
      achievement: this.achievementInput(view.badge, urls, service),
      validFrom: seconds(view.award.at),
      ...(recipient.type === 'email' ? { email: recipient.identity } : { recipient: { type: 'url' as const, value: recipient.identity } }),
      salt: view.id,
      status: ob.statusEntry(urls.statusList(view.issuer, place.list), place.index),
      evidence: evidenceOf(view.award),
    });
    const print = fingerprint([unsigned, key.key.id]);
    const cacheKey = `${service}\n${view.id}`;
    const cached = this.signed.get(cacheKey);
    if (cached?.fingerprint === print) return cached;
    const signing = await ob.signing();
    const credential = await signing.signDataIntegrity(unsigned, key.privateKey, { verificationMethod: ob.verificationMethodId(issuer.id, key.key.id), created: seconds(view.award.at) }, this.loader(signing, service, urls));
    const jwt = await ob.signJwt(credential, key.privateKey, ob.jwkUrl(issuer.id, key.key.id));
    const entry: Signed = { fingerprint: print, user: view.user, credential, jwt };
    this.remember(this.signed, cacheKey, entry);
    return entry;
  }

  /** The award's place in its issuer's status list; given out (a write) the first time. */
  private async statusPlace(domain: Domain, service: string, view: AwardView): Promise<StatusPlace> {
    const known = await this.store.getItem(service, STATUS_KIND, view.id);
    if (known) return known.v as StatusPlace;
    return domain.run(service, (tx) => assignStatus(tx, service, view.issuer, view.id, view.award.revoked !== undefined));
  }

  async statusListCredential(domain: Domain, service: string, slug: string, list: number, urls: Urls): Promise<ob.StatusListCredential> {
    const value = await statusList({ item: (s, kind, id) => this.store.getItem(s, kind, id) }, service, slug, list);
    if (!value) throw new HttpError(404, 'status_list_not_found', `No status list ${list} of issuer "${slug}"`);
    const item = (await this.store.getItem(service, STATUS_LIST_KIND, `${slug}/${list}`)) as Item;
    const key = await this.signingKey(domain, service, slug);
    const issuer = urls.profile(slug);
    const id = urls.statusList(slug, list);
    const print = fingerprint([id, item.at, value.revoked, key.key.id]);
    const cacheKey = `${service}\n${slug}\n${list}`;
    const cached = this.lists.get(cacheKey);
    if (cached?.fingerprint === print) return cached.credential;
    const unsigned = ob.buildStatusListCredential({ id, issuer, validFrom: seconds(item.at), revoked: value.revoked });
    const signing = await ob.signing();
    const credential = await signing.signDataIntegrity(unsigned, key.privateKey, { verificationMethod: ob.verificationMethodId(issuer, key.key.id), created: seconds(item.at) }, this.loader(signing, service, urls));
    this.remember(this.lists, cacheKey, { fingerprint: print, credential });
    return credential;
  }

  /**
   * Checks an award's credential as a verifier elsewhere would (server/openbadges/verify.ts: another
   * implementation than the signer's), with the documents this server publishes looked up directly.
   */
  async verify(domain: Domain, view: AwardView, service: string, urls: Urls): Promise<ob.Verification> {
    const signed = await this.credential(domain, view, service, urls);
    const revoked = view.award.revoked !== undefined;
    if (signed.verification && signed.verification.revoked === revoked) return signed.verification;
    const signing = await ob.signing();
    const verification = await signing.verifyCredential(signed.credential, this.loader(signing, service, urls, domain));
    signed.verification = verification;
    return verification;
  }

  /** The bundled contexts, then this service's published documents: profiles, keys, status lists. */
  loader(signing: Awaited<ReturnType<typeof ob.signing>>, service: string, urls: Urls, domain?: Domain) {
    return signing.documentLoader(async (url) => {
      const profilePrefix = `${urls.base}/v3/issuers/`;
      if (url.startsWith(profilePrefix)) {
        const slug = decodeURIComponent(url.slice(profilePrefix.length).split(/[/#]/)[0]!);
        const profile = await this.profile(service, slug, urls).catch(() => undefined);
        return profile ? ob.profileDocumentAt(profile, url) : undefined;
      }
      const statusPrefix = `${urls.base}/v3/status/`;
      if (domain && url.startsWith(statusPrefix)) {
        const [slug, list] = url.slice(statusPrefix.length).split('/');
        return this.statusListCredential(domain, service, decodeURIComponent(slug!), Number(list), urls).catch(() => undefined);
      }
      return undefined;
    });
  }

  private remember<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_CACHED) map.delete(map.keys().next().value!);
  }
}

/** A 503 that lasts until the operator acts: Retry-After says to come back in an hour, not in a moment. */
function signingUnavailable(message: string): HttpError {
  const error = new HttpError(503, 'signing_unavailable', message);
  error.headers = { 'Retry-After': '3600' };
  return error;
}

/** ISO-8601 to the second, as credentials write their dates (a JWT's NumericDate has no fractions either). */
const seconds = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** A badge's criteria (issue 22: `{narrative, items: [{id, description, required}]}`) as one text. */
function criteriaNarrative(criteria: unknown): string | undefined {
  if (typeof criteria !== 'object' || criteria === null) return undefined;
  const { narrative, items } = criteria as { narrative?: unknown; items?: unknown };
  const lines = Array.isArray(items)
    ? items
        .filter((item): item is { description: string; required?: boolean } => typeof item?.description === 'string')
        .map((item) => `- ${item.description}${item.required === false ? ' (optional)' : ''}`)
    : [];
  const text = [typeof narrative === 'string' ? narrative : '', lines.join('\n')].filter(Boolean).join('\n\n');
  return text || undefined;
}

function evidenceOf(award: AwardInstance): { id?: string; narrative?: string }[] | undefined {
  const items = (award.evidence ?? []).filter((item) => item && (typeof item.url === 'string' || typeof item.reflection === 'string'));
  return items.length ? items.map((item) => ({ ...(item.url ? { id: item.url } : {}), ...(item.reflection ? { narrative: item.reflection } : {}) })) : undefined;
}

/** One OpenBadges per app: its key cache and credential memory live as long as its config. */
const perApp = new WeakMap<object, OpenBadges>();
export function openBadgesOf(store: Store, config: { openBadges?: Partial<OpenBadgesConfig> }): OpenBadges {
  let found = perApp.get(config);
  if (!found) perApp.set(config, (found = new OpenBadges(store, config.openBadges)));
  return found;
}

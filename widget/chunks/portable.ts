/**
 * Badges that travel (issue 22), a chunk: loaded by the details card the first time it opens, it
 * asks the server once per user for the user's read (`users/{name}.json`, which links each award's
 * Open Badges) and, when the badge has a credential, adds to its card "Verify" (the server's check
 * of the signed credential, shown in the card) and downloads of the credential (JSON-LD, VC-JWT)
 * and the baked image, each fetched and saved without leaving the page; and the holder's portable
 * badges, each linked to its public page.
 */
import type { Kit } from '../kit.js';
import type { UserBadgesElement } from '../user-badges.js';

/** An award's Open Badges, as the user's read links them (types/schema.ts, UserBadge.openBadges). */
interface Links {
  award: string;
  assertion: string;
  credential: string;
  jwt: string;
  page: string;
}
interface Read {
  badges?: { name: string; openBadges?: Links[] }[];
}
interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Portable {
  css: string;
  /** Adds the badge's credential, if it has one, to `card`, the details of `li` in `root`. */
  card(root: ShadowRoot, li: Element, card: HTMLElement): Promise<void>;
}

export default ({ serverOf, sheetOf }: Kit): Portable => {
  const reads = new Map<string, Promise<Read | null>>();
  const read = (url: string) => {
    let p = reads.get(url);
    if (!p) reads.set(url, (p = fetch(url, { credentials: 'omit' }).then((r) => (r.ok ? r.json() : null), () => null)));
    return p;
  };
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...children);
    return e;
  };
  /** Fetches `url` and saves it as `file`: a download that keeps the page where it is. */
  const save = async (url: string, file: string, out: HTMLElement) => {
    try {
      const res = await fetch(url, { credentials: 'omit' });
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const href = URL.createObjectURL(await res.blob());
      el('a', { href, download: file }).click();
      setTimeout(() => URL.revokeObjectURL(href), 1000);
    } catch (e) {
      out.textContent = `Cannot download ${file} (${(e as Error).message})`;
    }
  };
  const verify = async (links: Links, out: HTMLElement) => {
    out.textContent = 'Verifying…';
    const v = (await fetch(links.page + '/verification.json', { credentials: 'omit' }).then((r) => r.json(), () => null)) as {
      verified?: boolean;
      revoked?: boolean;
      reason?: string;
      checks?: Check[];
    } | null;
    out.dataset.ok = String(!!v?.verified);
    out.textContent = !v?.checks
      ? 'Cannot verify now'
      : v.verified
        ? '✓ Verified: signed by its issuer, not revoked, valid'
        : v.revoked
          ? '✗ Revoked' + (v.reason ? ': ' + v.reason : '')
          : '✗ Not verified: ' + v.checks.filter((c) => !c.ok).map((c) => c.detail).join('; ');
  };
  const css = /* css */ `
    @layer user-badges {
      .portable {
        display: flex;
        flex-direction: column;
        gap: 0.35em;
        margin-top: 0.4em;
        padding-top: 0.4em;
        border-top: 1px solid color-mix(in srgb, GrayText 40%, transparent);
      }
      .portable .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.3em;
      }
      .portable button {
        font: inherit;
        font-size: 0.75rem;
        color: inherit;
        background: transparent;
        border: 1px solid GrayText;
        border-radius: 4px;
        padding: 0.15em 0.5em;
        cursor: pointer;
      }
      .portable button:first-child {
        font-weight: 600;
      }
      .portable [role='status']:empty {
        display: none;
      }
      .portable [data-ok='true'] {
        color: #1a7f37;
      }
      .portable [data-ok='false'] {
        color: #cf222e;
      }
      .portable details a {
        display: block;
        color: inherit;
      }
    }
  `;
  return {
    css,
    async card(root, li, card) {
      if (card.querySelector('.portable')) return;
      const host = root.host as UserBadgesElement;
      const badge = host.badges[[...li.parentElement!.children].indexOf(li)];
      const { service, user } = host;
      if (!badge || !service || !user) return;
      const u = await read(`${serverOf(host.server)}/v1/${encodeURIComponent(service)}/users/${encodeURIComponent(user)}.json`);
      const mine = (b: { openBadges?: Links[] }) => b.openBadges?.[b.openBadges.length - 1];
      const links = u?.badges && mine(u.badges.find((b) => b.name == badge.name) || {});
      // Another render, or another open, may have added it meanwhile.
      if (!links || card.querySelector('.portable')) return;
      const sheet = sheetOf(css);
      if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      const out = el('span', { role: 'status' } as Partial<HTMLSpanElement>);
      const button = (label: string, title: string, act: () => void) => el('button', { type: 'button', title, onclick: act }, label);
      const file = badge.name + '-' + links.award;
      const portable = u.badges!.filter(mine);
      card.append(
        el(
          'span',
          { className: 'portable' },
          el(
            'span',
            { className: 'actions' },
            button('Verify', 'Check the signed Open Badges credential', () => verify(links, out)),
            button('JSON', 'Download the Open Badges 3.0 credential (JSON-LD, signed)', () => save(links.credential, file + '.json', out)),
            button('JWT', 'Download the credential as a VC-JWT', () => save(links.jwt, file + '.jwt', out)),
            button('Image', 'Download the baked badge image (PNG, Open Badges 2.0)', () => save(links.assertion + '/badge.png', file + '.png', out)),
          ),
          out,
          el(
            'details',
            {},
            el('summary', {}, `${user}'s portable badges (${portable.length})`),
            ...portable.map((b) => el('a', { href: mine(b)!.page, target: '_blank', rel: 'noopener' }, String(host.badges.find((h) => h.name == b.name)?.title || b.name))),
          ),
        ),
      );
    },
  };
};

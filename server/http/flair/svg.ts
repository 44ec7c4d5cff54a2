/**
 * Flair (issue 21): a user's badges as an image for places where scripts are not allowed (a forum
 * signature, a README, a CV), as Stack Exchange's flair was, and one badge as a shields-style
 * image. An SVG is a document: every text is escaped, nothing is linked or loaded, and widths come
 * from a table of the bundled font's advances (with `textLength`, so a viewer with another font
 * still fits the text to its box).
 */

export type FlairTheme = 'light' | 'dark' | 'compact';
type Tier = 'gold' | 'silver' | 'bronze' | 'other';

export interface FlairBadge {
  name: string;
  title: string;
  tier: Tier;
  count: number;
}

export interface UserFlair {
  name: string;
  /** Points, all time (core/standings.ts). */
  score: number;
  /** In the order shown: featured first, then by tier. */
  badges: FlairBadge[];
}

/** The themes' colours (themes/light.css, themes/dark.css), the tiers' included. */
const COLOURS = {
  light: { bg: '#ffffff', fg: '#1f2328', muted: '#59636e', pill: '#f6f8fa', border: '#d1d9e0', gold: '#9a6700', silver: '#6e7781', bronze: '#b0603a', other: '#59636e' },
  dark: { bg: '#0d1117', fg: '#f0f6fc', muted: '#9198a1', pill: '#212830', border: '#3d444d', gold: '#e3b341', silver: '#b7bdc8', bronze: '#db8a5a', other: '#9198a1' },
} as const;

const FONT = 'DejaVu Sans,Verdana,Geneva,sans-serif';
const TIERS: Tier[] = ['gold', 'silver', 'bronze', 'other'];
const MAX_WIDTH = 420;

/** Escapes text for SVG content and attribute values. */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Text cut to `max` characters, with an ellipsis. */
const cut = (text: string, max: number): string => ([...text].length > max ? [...text].slice(0, max - 1).join('') + '…' : text);

/**
 * The width of `text` in DejaVu Sans at `size` px (bold a little wider): the font's advances,
 * grouped. Exact enough to size boxes; `textLength` makes the text fill them exactly.
 */
export function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (/[ijlI.,:;'|!]/.test(ch)) em += 0.31;
    else if (/[frt ()[\]{}\-]/.test(ch)) em += 0.4;
    else if (/[mwMW@%]/.test(ch)) em += 0.92;
    else if (/[A-Z]/.test(ch)) em += 0.72;
    else if (/[0-9]/.test(ch)) em += 0.636;
    else if (c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60))) em += 1;
    else em += 0.6;
  }
  return Math.ceil(em * size * (bold ? 1.1 : 1));
}

/** A text of computed width, escaped. */
function text(x: number, y: number, value: string, size: number, fill: string, options: { bold?: boolean; anchor?: 'middle' } = {}): string {
  const width = textWidth(value, size, options.bold);
  return `<text x="${x}" y="${y}" font-size="${size}"${options.bold ? ' font-weight="bold"' : ''}${options.anchor ? ` text-anchor="${options.anchor}"` : ''} fill="${fill}" textLength="${width}" lengthAdjust="spacingAndGlyphs">${escapeXml(value)}</text>`;
}

/** The tier's icon, its shape saying it too (as the widget's): gold star, silver diamond, bronze disc, other ring. */
function icon(tier: Tier, cx: number, cy: number, r: number, fill: string): string {
  if (tier === 'gold') {
    const points = Array.from({ length: 10 }, (_, i) => {
      const angle = (Math.PI / 5) * i - Math.PI / 2;
      const radius = i % 2 === 0 ? r : r * 0.45;
      return `${round(cx + radius * Math.cos(angle))},${round(cy + radius * Math.sin(angle))}`;
    });
    return `<polygon points="${points.join(' ')}" fill="${fill}"/>`;
  }
  if (tier === 'silver') return `<polygon points="${cx},${round(cy - r)} ${round(cx + r * 0.8)},${cy} ${cx},${round(cy + r)} ${round(cx - r * 0.8)},${cy}" fill="${fill}"/>`;
  if (tier === 'bronze') return `<circle cx="${cx}" cy="${cy}" r="${round(r * 0.8)}" fill="${fill}"/>`;
  return `<circle cx="${cx}" cy="${cy}" r="${round(r * 0.7)}" fill="none" stroke="${fill}" stroke-width="1.5"/>`;
}

const round = (n: number) => Math.round(n * 10) / 10;
const number = (n: number) => n.toLocaleString('en-US');

/** Badges per tier, counting each badge once (as Stack Overflow's "★ 3 ◆ 5 ● 12"). */
const tallies = (badges: FlairBadge[]) => TIERS.map((tier) => [tier, badges.filter((b) => b.tier === tier).length] as const).filter(([, n]) => n > 0);

const describe = (flair: UserFlair) =>
  `${flair.name}: ${number(flair.score)} points; ${tallies(flair.badges).map(([tier, n]) => `${n} ${tier}`).join(', ') || 'no badges'}`;

export function userFlairSvg(flair: UserFlair, theme: FlairTheme): string {
  return theme === 'compact' ? compactSvg(flair) : cardSvg(flair, COLOURS[theme]);
}

/** Two lines: the name and points, then the tallies per tier and the badges that fit. */
function cardSvg(flair: UserFlair, c: (typeof COLOURS)['light' | 'dark']): string {
  const name = cut(flair.name, 32);
  const points = `${number(flair.score)} points`;
  const parts: string[] = [];
  let x = 10;
  parts.push(text(x, 21, name, 14, c.fg, { bold: true }));
  x += textWidth(name, 14, true) + 8;
  parts.push(text(x, 21, points, 12, c.muted));
  let width = x + textWidth(points, 12) + 10;
  x = 10;
  for (const [tier, n] of tallies(flair.badges)) {
    parts.push(icon(tier, x + 6, 41, 6, c[tier]));
    const label = String(n);
    parts.push(text(x + 15, 45, label, 12, c.fg));
    x += 15 + textWidth(label, 12) + 9;
  }
  if (flair.badges.length === 0) {
    parts.push(text(x, 45, 'No badges yet', 12, c.muted));
    x += textWidth('No badges yet', 12);
  }
  // Then the badges themselves, as pills, as many as fit.
  const shown = flair.badges.slice(0, 8);
  let rest = flair.badges.length;
  for (const badge of shown) {
    const label = cut(badge.title, 18);
    const pill = 20 + textWidth(label, 11) + 8;
    if (x + pill + 34 > MAX_WIDTH) break;
    parts.push(`<rect x="${x}" y="32" width="${pill}" height="18" rx="9" fill="${c.pill}" stroke="${c.border}"/>`);
    parts.push(icon(badge.tier, x + 10, 41, 5, c[badge.tier]));
    parts.push(text(x + 18, 45, label, 11, c.fg));
    x += pill + 4;
    rest--;
  }
  if (rest > 0 && shown.length > 0 && rest < flair.badges.length) {
    const more = `+${rest}`;
    parts.push(text(x + 2, 45, more, 11, c.muted));
    x += textWidth(more, 11) + 4;
  }
  width = Math.min(MAX_WIDTH, Math.max(width, x + 8, 160));
  return document(width, 58, describe(flair), `<rect width="${width}" height="58" rx="6" fill="${c.bg}" stroke="${c.border}"/>`, parts);
}

/** One line, shields-style: the name on grey, the points and tallies beside it. */
function compactSvg(flair: UserFlair): string {
  const name = cut(flair.name, 24);
  const left = textWidth(name, 11) + 12;
  const parts: string[] = [text(6, 14, name, 11, '#ffffff')];
  let x = left + 6;
  const points = number(flair.score);
  parts.push(text(x, 14, points, 11, '#ffffff', { bold: true }));
  x += textWidth(points, 11, true) + 8;
  for (const [tier, n] of tallies(flair.badges)) {
    parts.push(icon(tier, x + 5, 10, 5, COLOURS.dark[tier]));
    const label = String(n);
    parts.push(text(x + 12, 14, label, 11, '#ffffff'));
    x += 12 + textWidth(label, 11) + 7;
  }
  const width = x + 2;
  const background = `<rect width="${width}" height="20" rx="3" fill="#1f2328"/><rect x="${left}" width="${width - left}" height="20" rx="3" fill="#3d444d"/><rect x="${left}" width="4" height="20" fill="#3d444d"/>`;
  return document(width, 20, describe(flair), background, parts);
}

/** One badge, shields-style: its tier and title, and how many times it was awarded. */
export function badgeFlairSvg(badge: FlairBadge): string {
  const title = cut(badge.title, 40);
  const left = 18 + textWidth(title, 11) + 8;
  const count = `×${number(badge.count)}`;
  const width = left + textWidth(count, 11) + 12;
  const background = `<rect width="${width}" height="20" rx="3" fill="#1f2328"/><rect x="${left}" width="${width - left}" height="20" rx="3" fill="#3d444d"/><rect x="${left}" width="4" height="20" fill="#3d444d"/>`;
  const parts = [icon(badge.tier, 10, 10, 5.5, COLOURS.dark[badge.tier]), text(18, 14, title, 11, '#ffffff'), text(left + 6, 14, count, 11, '#ffffff')];
  return document(width, 20, `${badge.title}: ${badge.tier} badge, awarded ${number(badge.count)} times`, background, parts);
}

function document(width: number, height: number, label: string, background: string, parts: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(label)}">` +
    `<title>${escapeXml(label)}</title>${background}<g font-family="${FONT}">${parts.join('')}</g></svg>`
  );
}

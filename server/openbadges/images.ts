import { crc32, deflateSync } from 'node:zlib';

/**
 * The images baked badges are made from, drawn here rather than fetched: a badge's own `image` may
 * be anywhere on the web (fetching it would be a request to wherever a service key points, and a
 * server without network could not bake), and baking needs PNG or SVG bytes. The shape says the
 * tier as the widget's icons do (gold star, silver diamond, bronze disc; other badges a ring), so
 * a baked badge reads without colour too. SVG carries the title; PNG, drawn without a font, does not.
 */

export type Tier = 'gold' | 'silver' | 'bronze' | 'other';

const COLOURS: Record<Tier, { fill: string; edge: string }> = {
  gold: { fill: '#f2c230', edge: '#8a6500' },
  silver: { fill: '#c9ced6', edge: '#5b6370' },
  bronze: { fill: '#d08a4c', edge: '#7a4517' },
  other: { fill: '#5b8def', edge: '#22479a' },
};

export const tierOf = (type: unknown): Tier => (type === 'gold' || type === 'silver' || type === 'bronze' ? type : 'other');

/** A point is inside the tier's shape, in a -1..1 square. */
function inside(tier: Tier, x: number, y: number): boolean {
  switch (tier) {
    case 'bronze':
      return x * x + y * y <= 0.8 * 0.8;
    case 'silver':
      return Math.abs(x) + Math.abs(y) <= 0.85;
    case 'gold':
      return inStar(x, y);
    default: {
      const r = Math.hypot(x, y);
      return r <= 0.82 && r >= 0.5;
    }
  }
}

const STAR = Array.from({ length: 10 }, (_, i) => {
  const angle = -Math.PI / 2 + (i * Math.PI) / 5;
  const r = i % 2 === 0 ? 0.9 : 0.38;
  return [r * Math.cos(angle), r * Math.sin(angle) + 0.06] as const;
});

function inStar(x: number, y: number): boolean {
  let hit = false;
  for (let i = 0, j = STAR.length - 1; i < STAR.length; j = i++) {
    const [xi, yi] = STAR[i]!;
    const [xj, yj] = STAR[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** A square RGBA PNG of the tier's shape, 4x4 samples a pixel for smooth edges. */
export function badgePng(tier: Tier, size = 256): Buffer {
  const [r, g, b] = rgb(COLOURS[tier].fill) as [number, number, number];
  const row = size * 4 + 1;
  const pixels = Buffer.alloc(row * size);
  for (let py = 0; py < size; py++) {
    pixels[py * row] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          const x = ((px + (sx + 0.5) / 4) / size) * 2 - 1;
          const y = ((py + (sy + 0.5) / 4) / size) * 2 - 1;
          if (inside(tier, x, y)) hits++;
        }
      }
      const at = py * row + 1 + px * 4;
      pixels[at] = r;
      pixels[at + 1] = g;
      pixels[at + 2] = b;
      pixels[at + 3] = Math.round((hits / 16) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, adaptive filtering, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const SVG_SHAPES: Record<Tier, string> = {
  bronze: '<circle cx="128" cy="112" r="80"/>',
  silver: '<path d="M128 26 L214 112 L128 198 L42 112 Z"/>',
  gold: `<path d="${STAR.map(([x, y], i) => `${i ? 'L' : 'M'}${(128 + x * 92).toFixed(1)} ${(106 + y * 92).toFixed(1)}`).join(' ')} Z"/>`,
  other: '<circle cx="128" cy="112" r="68" fill="none" stroke-width="28"/>',
};

/** An SVG badge: the tier's shape and the title under it, with the title as its accessible name. */
export function badgeSvg(tier: Tier, title: string): string {
  const { fill, edge } = COLOURS[tier];
  const shown = title.length > 28 ? `${title.slice(0, 27)}…` : title;
  const shape = tier === 'other' ? SVG_SHAPES.other.replace('/>', ` stroke="${fill}"/>`) : SVG_SHAPES[tier];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img" aria-label="${escapeXml(title)}">` +
    `<title>${escapeXml(title)}</title>` +
    `<g fill="${fill}" stroke="${edge}" stroke-width="4">${shape}</g>` +
    `<text x="128" y="238" text-anchor="middle" font-family="system-ui, sans-serif" font-size="20" font-weight="600" fill="#1f2328">${escapeXml(shown)}</text>` +
    '</svg>'
  );
}

import { crc32 } from 'node:zlib';

/**
 * Baked badges, as the Open Badges 2.0 Baking Specification has them: the assertion travels inside
 * the image, so a badge saved from a page can still be checked. PNG: one uncompressed iTXt chunk
 * with the keyword `openbadges` holding the assertion's JSON (an earlier one is replaced: the
 * keyword must not appear twice). SVG: an `xmlns:openbadges="http://openbadges.org"` attribute on
 * the root and, first inside it, `<openbadges:assertion verify="URL">` with the JSON as CDATA.
 */

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const KEYWORD = 'openbadges';

interface Chunk {
  type: string;
  data: Buffer;
}

function* chunks(png: Buffer): Generator<Chunk & { start: number; end: number }> {
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('Not a PNG');
  let offset = 8;
  while (offset + 12 <= png.length) {
    const length = png.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > png.length) throw new Error('A PNG chunk runs past the end of the file');
    yield { type: png.toString('latin1', offset + 4, offset + 8), data: png.subarray(offset + 8, offset + 8 + length), start: offset, end };
    offset = end;
  }
}

function encodeChunk({ type, data }: Chunk): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** keyword NUL, compression flag 0 and method 0, empty language tag NUL, empty translated keyword NUL, text. */
function iTXt(text: string): Chunk {
  return { type: 'iTXt', data: Buffer.concat([Buffer.from(KEYWORD, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]) };
}

const isOpenBadgesChunk = (chunk: Chunk) => chunk.type === 'iTXt' && chunk.data.subarray(0, KEYWORD.length + 1).equals(Buffer.from(`${KEYWORD}\0`, 'latin1'));

/** The PNG with `text` (the assertion's JSON) baked in, just before IEND; an earlier `openbadges` chunk is dropped. */
export function bakePng(png: Buffer, text: string): Buffer {
  const parts: Buffer[] = [PNG_SIGNATURE];
  let ended = false;
  for (const chunk of chunks(png)) {
    if (isOpenBadgesChunk(chunk)) continue;
    if (chunk.type === 'IEND') {
      parts.push(encodeChunk(iTXt(text)));
      ended = true;
    }
    parts.push(png.subarray(chunk.start, chunk.end));
  }
  if (!ended) throw new Error('A PNG without IEND');
  return Buffer.concat(parts);
}

/** The text of the first `openbadges` iTXt chunk (as a verifier extracts it), or undefined. */
export function unbakePng(png: Buffer): string | undefined {
  for (const chunk of chunks(png)) {
    if (!isOpenBadgesChunk(chunk)) continue;
    const data = chunk.data;
    if (data[KEYWORD.length + 1] !== 0) throw new Error('A compressed openbadges chunk (the specification forbids compression)');
    // After the keyword's NUL: compression flag and method, then language tag NUL and translated keyword NUL.
    const languageEnd = data.indexOf(0, KEYWORD.length + 3);
    const translatedEnd = data.indexOf(0, languageEnd + 1);
    return data.subarray(translatedEnd + 1).toString('utf8');
  }
  return undefined;
}

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** `]]>` cannot appear inside CDATA: split it across two sections. */
const cdata = (text: string) => `<![CDATA[${text.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** The SVG with the assertion baked in; an earlier `<openbadges:assertion>` is replaced. */
export function bakeSvg(svg: string, assertionUrl: string, json: string): string {
  const cleaned = svg.replace(/<openbadges:assertion\b[\s\S]*?(<\/openbadges:assertion>|\/>)/g, '');
  const root = /<svg\b[^>]*>/.exec(cleaned);
  if (!root) throw new Error('Not an SVG: no <svg> element');
  let tag = root[0];
  if (!/\sxmlns:openbadges=/.test(tag)) tag = tag.replace(/^<svg\b/, '<svg xmlns:openbadges="http://openbadges.org"');
  const element = `<openbadges:assertion verify="${escapeAttribute(assertionUrl)}">${cdata(json)}</openbadges:assertion>`;
  return cleaned.slice(0, root.index) + tag + element + cleaned.slice(root.index + root[0].length);
}

/** The baked assertion of an SVG: its `verify` URL and the JSON inside, or undefined. */
export function unbakeSvg(svg: string): { verify: string; json: string } | undefined {
  const match = /<openbadges:assertion\b[^>]*?\bverify="([^"]*)"[^>]*>([\s\S]*?)<\/openbadges:assertion>/.exec(svg);
  if (!match) return undefined;
  const json = match[2]!.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1').trim();
  return { verify: match[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&amp;/g, '&'), json };
}

// The demo pages as served (node:test): each links the API reference and the favicon, names the real
// server in its snippets (site.js), and needs no inline script or style (they run under a strict CSP).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const demo = new URL('../../demo/', import.meta.url);
const pages = readdirSync(demo).filter((f) => f.endsWith('.html'));

test('every demo page links the API reference and the favicon, and shows no placeholder origin', () => {
  assert.ok(pages.includes('docs.html') && pages.length >= 5, pages.join());
  assert.ok(existsSync(new URL('favicon.svg', demo)));
  for (const page of pages) {
    const html = readFileSync(new URL(page, demo), 'utf8');
    assert.match(html, /<link rel="icon" href="\/demo\/favicon\.svg"/, page);
    assert.match(html, /<a href="\/docs"/, page);
    // YOUR-BADGE-SERVER only inside a snippet that site.js rewrites to the real origin.
    const placeholders = html.match(/YOUR-BADGE-SERVER/g)?.length ?? 0;
    const inSnippets = [...html.matchAll(/<code class="snippet">([\s\S]*?)<\/code>/g)].reduce((n, m) => n + (m[1].match(/YOUR-BADGE-SERVER/g)?.length ?? 0), 0);
    assert.equal(placeholders, inSnippets, page);
    if (inSnippets) assert.match(html, /<script src="\/demo\/site\.js"/, page);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle="|\son\w+="/, page + ': inline script, style or handler');
  }
});

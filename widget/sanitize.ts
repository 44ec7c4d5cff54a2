import { safeUrl } from './badge.js';

/**
 * The only way a string becomes markup: hooks return HTML strings (the old `UserBadges.renderBadge`
 * contract), and badge data interpolated into them must not run. The string is parsed in an inert
 * `<template>` (nothing loads, nothing runs) and copied node by node into the page, keeping only
 * the elements and attributes below. Other elements are unwrapped (their text stays); elements
 * whose content is code or chrome are dropped whole. `href`/`src` must be http(s) or mailto.
 * The copies belong to the template's inert document too: an image starts loading only once the
 * fragment is put on a page. `part` is kept, so the page can style hook output through
 * `user-badges::part(...)`.
 */
const TAGS = /^(a|abbr|b|br|code|div|em|i|img|li|ol|p|small|span|strong|sub|sup|time|u|ul)$/;
const DROP = /^(script|style|template|iframe|object|embed|noscript|svg|math|textarea|select|title)$/;
const ATTRS = /^(class|part|title|alt|datetime|lang|dir|role|width|height|href|src|(aria|data)-[\w-]+)$/;

/** Parses `html` and returns a fragment holding only allowed elements and attributes. */
export function sanitizeHTML(html: string): DocumentFragment {
  const t = document.createElement('template');
  t.innerHTML = html;
  const doc = t.content.ownerDocument;
  const out = doc.createDocumentFragment();
  copy(doc, t.content, out);
  return out;
}

function copy(doc: Document, from: Node, to: Node) {
  for (const n of from.childNodes) {
    if (n.nodeType == 3) to.appendChild(doc.createTextNode(n.nodeValue!));
    else if (n.nodeType == 1) {
      // Foreign content (SVG, MathML) is dropped whole, so every element seen here is HTML.
      const src = n as Element;
      const tag = src.localName;
      if (TAGS.test(tag)) {
        const el = doc.createElement(tag);
        for (const { name, value } of src.attributes)
          if (ATTRS.test(name) && (!/^(href|src)$/.test(name) || safeUrl(value) != null)) el.setAttribute(name, value);
        copy(doc, src, el);
        to.appendChild(el);
      } else if (!DROP.test(tag)) copy(doc, src, to);
    }
  }
}

// Render hooks demo. The classic script exposes Lit's `html` as UserBadges.html for pages without a bundler.
// Hook output lives in the element's shadow root: demo.css styles it through part= and ::part().
/* global UserBadges */
const { html } = UserBadges;
const $ = (id) => document.getElementById(id);

$('hook-template').renderBadge = (b) =>
  html`<span part="chip" title=${b.description ?? ''}>★ ${b.name}${b.count > 1 ? html` <b>×${b.count}</b>` : ''}</span>`;

$('hook-node').renderBadge = (b) => {
  const chip = document.createElement('span');
  chip.className = 'userbadge';
  chip.textContent = `${b.name} · ${b.globalCount} awarded in total`;
  return chip;
};

// Fields are HTML-escaped for string hooks; the result is sanitised (no script, no handlers), part= is kept.
$('hook-string').renderBadge = (b) =>
  `<span class="userbadge"><em>${b.name}</em> <small part="since">since ${b.latest.slice(0, 10)}</small></span>`;

$('hook-filter').renderBadge = (b) => (b.type === 'gold' ? undefined : null);

UserBadges.renderBadge = function (badge) {
  return '<li><span class="userbadge">' + badge.name + ' (' + badge.globalCount + ' awarded)</span></li>';
};

// Show this very file at the end of the page.
fetch('/demo/hooks.js')
  .then((r) => r.text())
  .then((source) => ($('hook-source').textContent = source));

// The index page: live switching and an event counter. (A file, not inline script: the demo runs under a strict CSP.)
const live = document.getElementById('live-badges');
const code = document.getElementById('live-code');
const show = () => {
  const attrs = ['service', 'user', 'theme', 'sort'].filter((a) => live.hasAttribute(a)).map((a) => `${a}="${live.getAttribute(a)}"`);
  code.textContent = `<user-badges ${attrs.join(' ')}></user-badges>`;
};
for (const [id, attr] of [['pick-theme', 'theme'], ['pick-user', 'user'], ['pick-sort', 'sort']]) {
  document.getElementById(id).addEventListener('change', (e) => {
    const value = e.target.value;
    if (value) live.setAttribute(attr, value);
    else live.removeAttribute(attr);
    show();
  });
}
show();

const counts = { load: 0, error: 0 };
const log = document.getElementById('event-log');
const update = () => (log.textContent = `${counts.load} loaded, ${counts.error} failed so far.`);
document.addEventListener('user-badges-load', () => (counts.load++, update()));
document.addEventListener('user-badges-error', () => (counts.error++, update()));

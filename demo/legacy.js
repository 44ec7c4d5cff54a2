// Shows the markup the script wrote into the first old-style container.
const target = document.querySelector('.userbadges');
const out = document.getElementById('markup');
const show = () => (out.textContent = target.outerHTML);
target.addEventListener('user-badges-load', show);
if (target.children.length) show();

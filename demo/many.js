// Counts the elements, the distinct users and the users.json requests the page made.
const elements = [...document.querySelectorAll('user-badges')];
const users = new Set(elements.map((el) => el.getAttribute('user')));
const stats = document.getElementById('stats');
let settled = 0;
const requests = () => performance.getEntriesByType('resource').filter((e) => e.name.includes('/users.json')).length;
const show = () => {
  const holders = new Set(elements.filter((el) => el.getAttribute('state') === 'ready').map((el) => el.getAttribute('user'))).size;
  stats.textContent = `${elements.length} elements · ${users.size} distinct users (${holders} with badges) · ${requests()} requests to users.json · ${settled} drawn`;
  stats.dataset.requests = String(requests());
  stats.dataset.done = String(settled === elements.length);
};
document.addEventListener('user-badges-load', () => (settled++, show()));
document.addEventListener('user-badges-error', () => (settled++, show()));
show();

// The page a demo badge's `link` leads to: /demo/badge.html?service=demo&name=donated. It reads the
// service's public badge list (there is no route for one badge) and shows the one asked for.
const params = new URLSearchParams(location.search);
const service = params.get('service') ?? 'demo';
const name = params.get('name') ?? '';
const url = `/v1/${encodeURIComponent(service)}/badges.json?page_size=1000`;
document.getElementById('json').href = url;

const text = (id, value) => (document.getElementById(id).textContent = value);
const response = await fetch(url);
const body = await response.json();
const badge = response.ok ? body.badges.find((b) => b.name === name) : undefined;
if (!badge) {
  text('title', name || 'No badge named');
  text('description', response.ok ? `Service "${service}" has no badge "${name}".` : body.error.message);
} else {
  text('title', badge.title ?? badge.name);
  text('description', badge.description ?? '');
  const facts = document.getElementById('facts');
  for (const [term, value] of [
    ['Tier', badge.type],
    ['Awarded', `${badge.count} times`],
    ['Last awarded', badge.latest && new Date(badge.latest).toLocaleString()],
  ]) {
    if (!value) continue;
    facts.append(Object.assign(document.createElement('dt'), { textContent: term }), Object.assign(document.createElement('dd'), { textContent: value }));
  }
}

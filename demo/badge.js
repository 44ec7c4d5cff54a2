// The demo's badge page (/badges/NAME): the badge, who earned it (newest first, paged by cursor),
// its leaderboard and its flair, from the public reads of issue 21. A file, not inline script: the
// demo runs under a strict Content-Security-Policy.
const name = decodeURIComponent(location.pathname.replace(/^\/badges\//, '').replace(/\/$/, '')) || 'donated';
const api = `/v1/demo/badges/${encodeURIComponent(name)}`;
const $ = (id) => document.getElementById(id);

for (const el of document.querySelectorAll('.badge-name')) el.textContent = name;
document.title = `${name}: who earned it (user-badges demo)`;

async function json(url) {
  const response = await fetch(url);
  if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}`), { status: response.status });
  return response.json();
}

async function show() {
  let badge;
  try {
    ({ badge } = await json(`${api}.json`));
  } catch {
    $('badge-title').textContent = name;
    $('badge-missing').hidden = false;
    $('badge-body').hidden = true;
    return;
  }
  $('badge-title').textContent = badge.title || badge.name;
  $('badge-description').textContent = badge.description || '';
  const tier = ['gold', 'silver', 'bronze'].includes(badge.type) ? badge.type : 'other';
  $('badge-tier').dataset.type = tier;
  const points = badge.points ?? { gold: 10, silver: 5, bronze: 1 }[badge.type] ?? 1;
  $('badge-facts').textContent = `${tier === 'other' ? 'Badge' : `${tier[0].toUpperCase()}${tier.slice(1)} badge`} · awarded ${badge.count} ${badge.count === 1 ? 'time' : 'times'} · ${points} ${points === 1 ? 'point' : 'points'}${badge.latest ? ` · last on ${new Date(badge.latest).toLocaleDateString('en', { dateStyle: 'medium' })}` : ''}`;
  $('board').setAttribute('badge', badge.name);
  $('board').setAttribute('label', `Top ${badge.title || badge.name}`);
  const flair = `${location.origin}${api}/flair.svg`;
  $('flair').src = flair;
  $('flair').alt = `${badge.title || badge.name}: awarded ${badge.count} times`;
  $('flair-markdown').textContent = `![${badge.title || badge.name}](${flair})`;
  await holders(`${api}/holders.json?limit=10`);
}

async function holders(url) {
  const page = await json(url);
  for (const holder of page.holders) {
    const li = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'holder-name';
    who.textContent = holder.name;
    const when = document.createElement('time');
    when.dateTime = holder.latest;
    when.textContent = `${holder.count > 1 ? `${holder.count} times, last ` : ''}${new Date(holder.latest).toLocaleDateString('en', { dateStyle: 'medium' })}`;
    // All of them: on this badge's page a "+1" must not hide the very badge the row is about.
    const badges = document.createElement('user-badges');
    badges.setAttribute('service', 'demo');
    badges.setAttribute('user', holder.name);
    li.append(who, when, badges);
    $('holders').append(li);
  }
  if (page.holders.length === 0 && !$('holders').children.length) $('holders').insertAdjacentHTML('afterend', '<p class="note">Nobody yet.</p>');
  $('more').hidden = !page.next;
  $('more').onclick = () => holders(page.next);
}

show();

import { LIMITS } from '../../types/api.js';
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { chunks, MAX_URL_LENGTH } from '../../widget/loader.js';
import { assert, equal, mount, names, server, settled, usersRequestsDuring } from './helpers.js';

setDefaultServer(server);

const many = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `many-${String(from + i).padStart(3, '0')}`);
const elements = (users: string[], attrs = 'service="test"') =>
  [...mount(users.map((u) => `<user-badges ${attrs} user="${u}"></user-badges>`).join('')).children] as UserBadgesElement[];
const namesIn = (request: string) => decodeURIComponent(/names=([^&\s]*)/.exec(request)![1]!).split(',');

describe('batching', () => {
  it('serves 200 elements added in one task with 2 requests of at most 100 names', async () => {
    let els: UserBadgesElement[] = [];
    const requests = await usersRequestsDuring(async () => {
      els = elements(many(0, 200));
      await Promise.all(els.map((el) => settled(el)));
    });
    equal(requests.length, 2, requests.join('\n'));
    assert(requests.every((r) => namesIn(r).length <= LIMITS.namesPerRequest));
    equal(requests.flatMap(namesIn).sort(), many(0, 200));
    assert(els.every((el) => el.state === 'ready'));
    equal(names(els[7]!), ['popular']);
    equal(names(els[8]!), ['donated']);
  });

  it('asks once for a user shown by many elements', async () => {
    const requests = await usersRequestsDuring(async () => {
      const els = elements(Array(50).fill('many-210'));
      await Promise.all(els.map((el) => settled(el)));
    });
    equal(requests.length, 1);
    equal(namesIn(requests[0]!), ['many-210']);
  });

  it('serves elements added later, and answers cached users without a request', async () => {
    const first = await usersRequestsDuring(async () => {
      await Promise.all(elements(many(220, 225)).map((el) => settled(el)));
    });
    equal(first.length, 1);
    // Later (a single-page app adding elements): cached users cost nothing, new ones one request.
    const later = await usersRequestsDuring(async () => {
      await Promise.all(elements([...many(220, 225), ...many(225, 230)]).map((el) => settled(el)));
    });
    equal(later.length, 1);
    equal(namesIn(later[0]!), many(225, 230));
    const cached = await usersRequestsDuring(async () => {
      const [el] = elements(['many-221']);
      equal(await settled(el!), 'ready');
    });
    equal(cached.length, 0);
  });

  it('makes one batch per server, service and sort', async () => {
    const requests = await usersRequestsDuring(async () => {
      const els = [...elements(many(230, 233)), ...elements(many(230, 233), 'service="test" sort="name"'), ...elements(['daniel'], 'service="demo"')];
      await Promise.all(els.map((el) => settled(el)));
    });
    equal(requests.length, 3, requests.join('\n'));
    assert(requests.some((r) => r.includes('sort=name')));
    assert(requests.some((r) => r.includes('/v1/demo/')));
  });

  it('fails only the elements whose request failed', async () => {
    const good = elements(['many-240']);
    const bad = elements(['many-240'], 'service="nosuchservice"');
    equal(await settled(good[0]!), 'ready');
    equal(await settled(bad[0]!), 'error');
  });

  it('never sends a name the server would refuse, and the batch still succeeds', async () => {
    const requests = await usersRequestsDuring(async () => {
      const els = elements(['many-241', 'a,b', 'a/b', ' many-242 ', 'x'.repeat(LIMITS.nameLength + 1)]);
      const states = await Promise.all(els.map((el) => settled(el)));
      equal(states, ['ready', 'unknown', 'unknown', 'ready', 'unknown']);
    });
    equal(requests.length, 1);
    equal(namesIn(requests[0]!), ['many-241', 'many-242']);
  });

  it('keeps URLs short: long names are split over several requests', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `${i}-${'é'.repeat(90)}`);
    const requests = await usersRequestsDuring(async () => {
      await Promise.all(elements(long).map((el) => settled(el)));
    });
    assert(requests.length > 1, 'split');
    assert(requests.every((r) => r.length - 'GET '.length + server.length <= MAX_URL_LENGTH), 'short URLs');
    equal(requests.flatMap(namesIn).sort(), [...long].sort());
  });

  it('chunks respect both the name count and the URL length', () => {
    const g = (n: number, len: number) => ({
      server: 'https://badges.example',
      service: 's',
      query: '',
      names: new Map(Array.from({ length: n }, (_, i) => [String(i).padStart(len, 'x'), 0])),
    });
    const short = [...chunks(g(250, 3))];
    equal(
      short.map((c) => c.length),
      [100, 100, 50],
    );
    const long = [...chunks(g(30, 100))];
    assert(long.every((c) => c.length * 101 < MAX_URL_LENGTH) && long.flat().length === 30);
  });

  it('removing an element does not abort the request others wait on', async () => {
    const [a, b] = elements(['many-243', 'many-243']);
    a!.remove();
    equal(await settled(b!), 'ready');
  });
});

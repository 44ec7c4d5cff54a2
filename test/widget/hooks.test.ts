import { html } from 'lit';
import { setDefaultServer, type UserBadgesElement } from '../../widget/index.js';
import { $, $$, assert, equal, mount, names, server, settled } from './helpers.js';

setDefaultServer(server);

const one = (attrs = 'service="test" user="daniel"') => mount(`<user-badges ${attrs}></user-badges>`).firstElementChild as UserBadgesElement;
const globals = window as unknown as { UserBadges?: { renderBadge?: (b: { name: string }) => string } };

describe('render hooks', () => {
  afterEach(() => delete globals.UserBadges);

  it('renderBadge may return a Lit template', async () => {
    const el = one();
    el.renderBadge = (b) => html`<strong class="mine" title=${b.description ?? ''}>${b.name} (${b.count})</strong>`;
    await settled(el);
    equal(
      $$(el, 'li > strong.mine').map((s) => s.textContent),
      ['donated (2)', 'popular (1)', 'test1 (1)'],
    );
    equal($(el, 'strong')!.title, 'Donated at least $5');
  });

  it('renderBadge may return a DOM node', async () => {
    const el = one();
    el.renderBadge = (b) => Object.assign(document.createElement('mark'), { textContent: b.name });
    await settled(el);
    equal(
      $$(el, 'li > mark').map((s) => s.textContent),
      ['donated', 'popular', 'test1'],
    );
  });

  it('renderBadge may return an HTML string: sanitised, with fields escaped', async () => {
    const el = one();
    el.renderBadge = (b) => `<b onclick="alert(1)" class="s">${b.name}</b><script>window.ran = 1</script>`;
    await settled(el);
    const bs = $$(el, 'li > b.s');
    equal(
      bs.map((s) => s.textContent),
      ['donated', 'popular', 'test1'],
    );
    assert(!bs[0]!.hasAttribute('onclick'), 'no handler attribute');
    assert(!$(el, 'script'), 'no script element');
  });

  it('renderBadge returning null leaves the badge out, undefined keeps the default', async () => {
    const el = one();
    el.renderBadge = (b) => (b.name === 'popular' ? null : undefined);
    await settled(el);
    equal(names(el), ['donated', 'test1']);
    equal($$(el, 'li').length, 2);
  });

  it('changing renderBadge re-renders', async () => {
    const el = one();
    await settled(el);
    el.renderBadge = (b) => html`<i>${b.name}</i>`;
    await el.updateComplete;
    equal(
      $$(el, 'i').map((i) => i.textContent),
      ['donated', 'popular', 'test1'],
    );
    el.renderBadge = undefined;
    await el.updateComplete;
    equal(names(el), ['donated', 'popular', 'test1']);
  });

  it('the global UserBadges.renderBadge of the old script draws elements too', async () => {
    globals.UserBadges = { renderBadge: (b) => '<li><span class="userbadge">' + b.name + '</span></li>' };
    const el = one();
    await settled(el);
    // Its <li> becomes the list item: no <li> inside an <li>.
    equal(
      $$(el, 'ul > li > span.userbadge').map((s) => s.textContent),
      ['donated', 'popular', 'test1'],
    );
    assert(!$(el, 'li li'));
  });

  it("an element's own renderBadge wins over the global one", async () => {
    globals.UserBadges = { renderBadge: (b) => `<u>${b.name}</u>` };
    const el = one();
    el.renderBadge = (b) => html`<em>${b.name}</em>`;
    await settled(el);
    assert(!$(el, 'u'));
    equal($$(el, 'em').length, 3);
  });

  it('hook output can be styled by the page through part= (kept by the sanitiser)', async () => {
    const style = document.createElement('style');
    style.textContent = '.hooked user-badges::part(chip) { color: rgb(1, 2, 3); } .hooked user-badges::part(tpl) { color: rgb(4, 5, 6); }';
    document.head.append(style);
    const host = mount('<div class="hooked"><user-badges service="test" user="daniel"></user-badges><user-badges service="test" user="bob"></user-badges></div>');
    const [a, b] = host.querySelectorAll('user-badges') as unknown as UserBadgesElement[];
    a!.renderBadge = (badge) => `<span part="chip" class="chip">${badge.name}</span>`;
    b!.renderBadge = (badge) => html`<span part="tpl">${badge.name}</span>`;
    await Promise.all([settled(a!), settled(b!)]);
    equal($(a!, '.chip')!.getAttribute('part'), 'chip');
    equal(getComputedStyle($(a!, '.chip')!).color, 'rgb(1, 2, 3)');
    equal(getComputedStyle($(b!, '[part=tpl]')!).color, 'rgb(4, 5, 6)');
    style.remove();
  });
});

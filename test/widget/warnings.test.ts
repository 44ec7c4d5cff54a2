/**
 * A misconfigured element tells the developer, once, in the console: a missing attribute, a
 * misspelt service (with the server's own message), a misspelt theme, an unreachable server.
 * helpers.ts captures these warnings instead of printing them.
 */
import { fillLegacy, setDefaultServer } from '../../widget/index.js';
import { equal, mount, server, settled, warnings } from './helpers.js';

setDefaultServer(server);

/** Runs `fn`, waits for every element it mounted, and returns the warnings said meanwhile. */
async function said(html: string, then?: (host: HTMLElement) => void): Promise<string[]> {
  const before = warnings.length;
  const host = mount(html);
  then?.(host);
  const els = [...host.querySelectorAll('user-badges')];
  await Promise.all(els.filter((el) => el.hasAttribute('service') && el.hasAttribute('user')).map((el) => settled(el)));
  await new Promise((r) => setTimeout(r, 50));
  return warnings.slice(before);
}

describe('console warnings for a misconfigured element', () => {
  it('says nothing for a well-configured element, nor for an unknown user', async () => {
    equal(await said('<user-badges service="test" user="daniel"></user-badges><user-badges service="test" user="nobody-at-all"></user-badges>'), []);
  });

  it('a missing user or service, once however many elements', async () => {
    equal(await said('<user-badges service="test"></user-badges><user-badges service="test"></user-badges><user-badges user="bob"></user-badges>'), [
      '<user-badges service="test">: set the user attribute to show badges',
      '<user-badges user="bob">: set the service attribute to show badges',
    ]);
    equal(await said('<user-badges theme="dark"></user-badges>'), ['<user-badges>: set the service and user attributes to show badges']);
  });

  it('not when the attributes are set right after the element is added', async () => {
    equal(await said('<user-badges service="test"></user-badges>', (host) => host.firstElementChild!.setAttribute('user', 'bob')), []);
  });

  it("a misspelt service: the server's own message, once for all its elements", async () => {
    equal(await said(['daniel', 'bob', 'alice'].map((u) => `<user-badges service="tset" user="${u}"></user-badges>`).join('')), [
      '<user-badges service="tset">: Service "tset" does not exist (service_not_found)',
    ]);
  });

  it("an invalid sort, with the server's message", async () => {
    equal(await said('<user-badges service="test" user="daniel" sort="newest"></user-badges>'), [
      '<user-badges service="test" sort="newest">: sort must be one of name, -name, count, -count, date, -date, given once (invalid_sort)',
    ]);
  });

  it('an unreachable server', async () => {
    equal(await said('<user-badges service="test" user="daniel" server="http://127.0.0.1:9"></user-badges>'), [
      // Its theme is not there either; a built-in name gets no list of names.
      '<user-badges theme="auto">: no theme at http://127.0.0.1:9/themes/auto.css',
      '<user-badges service="test" server="http://127.0.0.1:9">: Cannot reach the display server at http://127.0.0.1:9 (network_error)',
    ]);
  });

  it('a misspelt theme, naming the URL tried and the built-in themes', async () => {
    equal(await said('<user-badges service="test" user="daniel" theme="drak"></user-badges><user-badges service="test" user="bob" theme="drak"></user-badges>'), [
      `<user-badges theme="drak">: no theme at ${server}/themes/drak.css (built in: auto, light, dark, stackoverflow, github, minimal, none)`,
    ]);
  });

  it('the old embed markup too', async () => {
    const before = warnings.length;
    const host = mount('<span class="userbadges" data-service="tset2" data-user="daniel"></span><span class="userbadges" data-service="test"></span>');
    for (const el of host.children) await fillLegacy(el as HTMLElement);
    equal(warnings.slice(before), [
      '<span class="userbadges" data-service="tset2">: Service "tset2" does not exist (service_not_found)',
      '<span class="userbadges" data-service="test">: set the data-user attribute to show badges',
    ]);
  });
});

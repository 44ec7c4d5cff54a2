/** The ES module build as a bundler sees it: `import 'user-badges'` with Lit as a dependency. */
// @ts-expect-error the built file has its declarations beside it in dist/widget/
import * as built from '../../dist/widget/user-badges.esm.js';
import { assert, equal, mount, names, server, settled } from './helpers.js';

describe('dist/widget/user-badges.esm.js', () => {
  it('defines <user-badges> on import and exports the API', async () => {
    assert(customElements.get('user-badges') === built.UserBadgesElement);
    for (const name of ['defineUserBadges', 'setDefaultServer', 'sanitizeHTML', 'startLegacy', 'clearCache', 'UserBadgesError']) {
      assert(typeof built[name] === 'function', name);
    }
  });

  it('draws badges from the server it is given', async () => {
    built.setDefaultServer(server);
    const el = mount('<user-badges service="test" user="bob"></user-badges>').firstElementChild!;
    equal(await settled(el), 'ready');
    equal(names(el), ['popular', 'helper']);
  });

  it('fills the old markup only once startLegacy() is called', async () => {
    const span = mount('<span class="userbadges" data-service="test" data-user="bob"></span>').firstElementChild!;
    await new Promise((r) => setTimeout(r, 200));
    equal(span.innerHTML, '');
    built.startLegacy();
    await new Promise((r) => span.addEventListener('user-badges-load', r));
    assert(span.querySelector('.userbadge.popular'));
  });
});

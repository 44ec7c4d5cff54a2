/** The API reference page's renderer (demo/docs.js) on the server's real /openapi.json. */
// @ts-expect-error a plain script of the demo, without type declarations
import { operationId, renderReference } from '../../demo/docs.js';
import { assert, equal, mount, server } from './helpers.js';

type Doc = { paths: Record<string, Record<string, { parameters?: { name: string }[] }>>; components: { schemas: Record<string, unknown> } };

describe('API reference (/demo/docs.html)', () => {
  it('renders every operation, parameter and schema of /openapi.json, every link resolving', async () => {
    const doc: Doc = await (await fetch(server + '/openapi.json')).json();
    const root = mount('');
    renderReference(doc, root);
    const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => k !== 'parameters')
        .map((m) => ({ path, m, params: [...((item as { parameters?: { name: string }[] }).parameters ?? []), ...(item[m]!.parameters ?? [])] })),
    );
    assert(ops.length >= 7, 'operations: ' + ops.length);
    for (const { path, m, params } of ops) {
      const section = root.querySelector(`#${CSS.escape(operationId(m, path))}`);
      assert(section, `${m} ${path}`);
      assert(section.textContent!.includes(m.toUpperCase()) && section.textContent!.includes(path));
      for (const p of params) assert(section.textContent!.includes(p.name), `${m} ${path}: ${p.name}`);
      assert(root.querySelector(`.toc a[href="#${operationId(m, path)}"]`), 'listed in the contents');
    }
    for (const name of Object.keys(doc.components.schemas)) assert(root.querySelector(`#schema-${name}`), 'schema ' + name);
    const links = [...root.querySelectorAll<HTMLAnchorElement>('a[href^="#"]')];
    assert(links.length > 20);
    for (const a of links) assert(root.querySelector(a.getAttribute('href')!), 'dangling link ' + a.getAttribute('href'));
    assert(!root.textContent!.includes('[object'), 'no object stringified into the page');
    root.remove();
  });

  it('renders text as text: markup in the document never becomes elements', () => {
    const root = mount('');
    renderReference(
      { openapi: '3.1.0', info: { title: 't', version: '1', description: '<img src=x onerror=alert(1)> `<b>code</b>`' }, paths: { '/x': { get: { summary: '<i>s</i>', responses: { 200: { description: '<script>' } } } } } },
      root,
    );
    equal(root.querySelectorAll('img, b, i, script').length, 0);
    assert(root.textContent!.includes('<img src=x onerror=alert(1)>'));
    equal(root.querySelector('.lead code')!.textContent, '<b>code</b>');
    root.remove();
  });
});

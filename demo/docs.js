// The API reference: renders the server's own /openapi.json (OpenAPI 3.1) into the page, with no
// library and nothing from the internet. Everything is built with DOM calls and textContent, so no
// text in the document is ever parsed as HTML. Also imported by the widget tests.

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

/** An element with attributes and children (strings become text). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : v);
  el.append(...nodes(children));
  return el;
}

/** Children as given (nested arrays, strings, nothing) made into a flat list to append. */
const nodes = (children) => children.flat(Infinity).filter((c) => c !== undefined && c !== null && c !== false && c !== '');

/** Text with `code` spans, as the document's descriptions write them. */
function prose(text = '') {
  return String(text)
    .split('`')
    .map((part, i) => (i % 2 ? h('code', {}, part) : part));
}

export const operationId = (method, path) => `${method}-${path}`.replace(/[^\w-]+/g, '-').replace(/-+$/, '');
const schemaId = (name) => 'schema-' + name;
const refName = (ref) => ref.replace('#/components/schemas/', '');

/** A schema's type in a few words, with a link for a reference. */
function typeOf(schema = {}) {
  if (schema.$ref) return h('a', { href: '#' + schemaId(refName(schema.$ref)) }, refName(schema.$ref));
  const alts = schema.oneOf || schema.anyOf;
  if (alts) return alts.flatMap((s, i) => (i ? [' | ', typeOf(s)] : [typeOf(s)]));
  const types = [].concat(schema.type ?? (schema.properties ? 'object' : 'any'));
  const words = types.flatMap((t, i) => {
    const word = t === 'array' ? ['array of ', typeOf(schema.items)] : t === 'object' && schema.additionalProperties && typeof schema.additionalProperties === 'object' ? ['map of ', typeOf(schema.additionalProperties)] : [t];
    return i ? [' | ', ...word] : word;
  });
  return [...words, schema.format ? ` (${schema.format})` : ''];
}

/** The constraints of a schema: enum, pattern, ranges, lengths, default. */
function limits(schema = {}) {
  const out = [];
  if (schema.enum) out.push('one of ', ...schema.enum.flatMap((v, i) => [i ? ', ' : '', h('code', {}, JSON.stringify(v))]));
  if (schema.pattern) out.push(out.length ? '; ' : '', 'pattern ', h('code', {}, schema.pattern));
  for (const [k, word] of [['minimum', '≥ '], ['maximum', '≤ '], ['minLength', 'length ≥ '], ['maxLength', 'length ≤ '], ['minItems', 'items ≥ '], ['maxItems', 'items ≤ ']]) {
    if (schema[k] !== undefined) out.push(out.length ? '; ' : '', word + schema[k]);
  }
  if (schema.default !== undefined) out.push(out.length ? '; ' : '', 'default ', h('code', {}, JSON.stringify(schema.default)));
  return out;
}

function table(head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, head.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows)));
}

function parameters(params) {
  if (!params.length) return null;
  return [
    h('h4', {}, 'Parameters'),
    table(
      ['name', 'in', 'type', 'description'],
      params.map((p) =>
        h(
          'tr',
          {},
          h('td', {}, h('code', {}, p.name), p.required ? h('span', { class: 'required' }, ' required') : ''),
          h('td', {}, p.in),
          h('td', {}, typeOf(p.schema), limits(p.schema).length ? h('div', { class: 'limits' }, limits(p.schema)) : ''),
          h('td', {}, prose(p.description)),
        ),
      ),
    ),
  ];
}

function content(c) {
  const json = c && (c['application/json'] || Object.values(c)[0]);
  return json?.schema ? typeOf(json.schema) : '—';
}

/** A table of an object schema's fields, or nothing. */
function fields(s) {
  const required = new Set(s.required || []);
  const props = Object.entries(s.properties || {});
  if (!props.length) return '';
  return table(
    ['field', 'type', 'description'],
    props.map(([field, p]) =>
      h(
        'tr',
        {},
        h('td', {}, h('code', {}, field), required.has(field) ? h('span', { class: 'required' }, ' required') : ''),
        h('td', {}, typeOf(p), limits(p).length ? h('div', { class: 'limits' }, limits(p)) : ''),
        h('td', {}, prose(p.description)),
      ),
    ),
  );
}

/** A request body: its schema (a link, or its fields when written inline) and its example. */
function requestBody(body) {
  const json = body.content && (body.content['application/json'] || Object.values(body.content)[0]);
  const s = json?.schema || {};
  return [
    h('h4', {}, 'Request body', body.required ? h('span', { class: 'required' }, ' required') : ''),
    body.description ? h('p', {}, prose(body.description)) : '',
    s.$ref || !s.properties ? h('p', {}, typeOf(s)) : fields(s),
    json?.example !== undefined ? [h('p', { class: 'note' }, 'Example:'), h('pre', {}, h('code', {}, JSON.stringify(json.example, null, 2)))] : '',
  ];
}

function operation(path, method, op, shared) {
  const params = [...shared, ...(op.parameters || [])];
  const secured = (op.security || []).flatMap((s) => Object.keys(s));
  return h(
    'section',
    { class: 'operation', id: operationId(method, path) },
    h('h3', {}, h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', h('code', {}, path)),
    op.summary ? h('p', { class: 'summary' }, prose(op.summary)) : '',
    op.description ? h('p', {}, prose(op.description)) : '',
    secured.length ? h('p', { class: 'note' }, 'Needs the service key: ', secured.flatMap((s, i) => [i ? ' or ' : '', h('a', { href: '#auth-' + s }, s)])) : '',
    parameters(params),
    op.requestBody ? requestBody(op.requestBody) : '',
    h('h4', {}, 'Responses'),
    table(
      ['status', 'description', 'body'],
      Object.entries(op.responses || {}).map(([status, r]) => h('tr', {}, h('td', {}, h('code', {}, status)), h('td', {}, prose(r.description)), h('td', {}, content(r.content)))),
    ),
  );
}

function schema(name, s) {
  return h(
    'section',
    { class: 'schema', id: schemaId(name) },
    h('h3', {}, h('code', {}, name), ' ', h('span', { class: 'note' }, typeOf(s))),
    s.description ? h('p', {}, prose(s.description)) : '',
    limits(s).length ? h('p', { class: 'limits' }, limits(s)) : '',
    fields(s),
    s.additionalProperties === true ? h('p', { class: 'note' }, 'Other fields are allowed.') : '',
  );
}

/** Renders an OpenAPI document into `root`: contents, every operation, authentication, every schema. */
export function renderReference(doc, root) {
  const paths = Object.entries(doc.paths || {});
  const ops = paths.flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => [path, m, item[m], item.parameters || []]));
  const schemes = Object.entries(doc.components?.securitySchemes || {});
  const schemas = Object.entries(doc.components?.schemas || {});
  root.replaceChildren(
    ...nodes([
    h('p', { class: 'lead' }, prose(doc.info?.description)),
    h('p', { class: 'note' }, `${doc.info?.title} ${doc.info?.version} · OpenAPI ${doc.openapi} · `, h('a', { href: '/openapi.json' }, '/openapi.json')),
    h(
      'nav',
      { class: 'toc', 'aria-label': 'Operations' },
      h('ul', {}, ops.map(([path, m, op]) => h('li', {}, h('a', { href: '#' + operationId(m, path) }, h('span', { class: `method method-${m}` }, m.toUpperCase()), ' ', h('code', {}, path), op.summary ? [' — ', op.summary] : '')))),
    ),
    h('h2', {}, 'Operations'),
    ops.map(([path, m, op, shared]) => operation(path, m, op, shared)),
    schemes.length ? [h('h2', { id: 'authentication' }, 'Authentication'), schemes.map(([name, s]) => h('section', { id: 'auth-' + name }, h('h3', {}, h('code', {}, name)), h('p', {}, `${s.type}, in ${s.in} `, h('code', {}, s.name ?? ''), ': ', prose(s.description))))] : '',
    h('h2', { id: 'schemas' }, 'Schemas'),
    schemas.map(([name, s]) => schema(name, s)),
    ]),
  );
}

const root = typeof document != 'undefined' && document.getElementById('reference');
if (root) {
  fetch('/openapi.json')
    .then((r) => {
      if (!r.ok) throw new Error(`/openapi.json answered ${r.status}`);
      return r.json();
    })
    .then((doc) => {
      renderReference(doc, root);
      if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
    })
    .catch((e) => root.replaceChildren(h('p', { role: 'alert' }, 'The API description could not be loaded: ' + e.message)));
}

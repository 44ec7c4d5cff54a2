// The API reference: renders the server's own /openapi.json (OpenAPI 3.1) into the page, with no
// library and nothing from the internet. Everything is built with DOM calls and textContent, so no
// text in the document is ever parsed as HTML. Also imported by the widget tests.

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
/** The service every example names, as the README's walk-through does. */
const SERVICE = 'bakery';

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
const tagId = (name) => 'tag-' + name;
const refName = (ref) => ref.replace('#/components/schemas/', '');
const capitalised = (word) => word.charAt(0).toUpperCase() + word.slice(1);

/** A path as code that a narrow column breaks after a slash, not inside a name. */
const pathCode = (path) => h('code', { class: 'path' }, path.split('/').flatMap((part, i) => (i ? ['/', h('wbr'), part] : [part])));

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

/**
 * One field, parameter or header: its name, type and marks on a line, what it means below. A list
 * rather than a table, so that a phone's width wraps it instead of scrolling it sideways.
 */
function field(name, schema = {}, { required, where, description } = {}) {
  const bounds = limits(schema);
  return h(
    'li',
    { class: 'field' },
    h('div', { class: 'field-head' }, h('code', { class: 'field-name' }, name), ' ', h('span', { class: 'field-type' }, typeOf(schema)), where ? h('span', { class: 'field-in' }, ` in ${where}`) : '', required ? h('span', { class: 'required' }, ' required') : ''),
    description ? h('div', { class: 'field-text' }, prose(description)) : '',
    bounds.length ? h('div', { class: 'limits' }, bounds) : '',
  );
}

/** The query parameters of a signed request, the same on every operation that takes the key: folded away. */
const SIGNING = new Set(['ts', 'nonce', 'signature', 'key_id']);

function parameters(params) {
  if (!params.length) return null;
  const item = (p) => field(p.name, p.schema, { required: p.required, where: p.in, description: p.description });
  const signing = params.filter((p) => p.in === 'query' && SIGNING.has(p.name));
  const own = params.filter((p) => !signing.includes(p));
  return [
    h('h4', {}, 'Parameters'),
    own.length ? h('ul', { class: 'fields' }, own.map(item)) : '',
    signing.length ? h('details', { class: 'signing' }, h('summary', {}, 'To sign the request instead of sending the key: ', signing.map((p, i) => [i ? ', ' : '', h('code', {}, p.name)])), h('ul', { class: 'fields' }, signing.map(item))) : '',
  ];
}

/** The JSON (or first) content of a body: its media type and schema. */
function contentOf(c) {
  if (!c) return undefined;
  const type = c['application/json'] ? 'application/json' : Object.keys(c)[0];
  return type && { type, schema: c[type].schema || {} };
}

/** A list of an object schema's fields, or nothing. */
function fields(s) {
  const required = new Set(s.required || []);
  const props = Object.entries(s.properties || {});
  if (!props.length) return '';
  return h('ul', { class: 'fields' }, props.map(([name, p]) => field(name, p, { required: required.has(name), description: p.description })));
}

/** A request body: its schema (a link, or its fields when written inline). */
function requestBody(body) {
  const { schema: s = {} } = contentOf(body.content) ?? {};
  return [
    h('h4', {}, 'Request body', body.required ? h('span', { class: 'required' }, ' required') : ''),
    body.description ? h('p', {}, prose(body.description)) : '',
    s.$ref || !s.properties ? h('p', {}, typeOf(s)) : fields(s),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Examples: the schema's own (`examples`, `example`, `default`, `const`), else one made from its shape.

const SAMPLE_TIME = '2026-12-06T12:00:00.000Z';
/** Values for names the examples use throughout, so that they read as one story. */
const BY_NAME = { service: SERVICE, name: 'daniel', user: 'daniel', badge: 'commenter', email: 'ann@example.org', url: 'https://bakery.example/hooks/badges', label: 'forum awards', reviewer: 'rita@example.org', issuer: 'library', description: 'Posted 25 comments', reason: 'Awarded by mistake', comment: 'Well done', title: 'Commenter' };
/** What `name` is inside an object met under these keys: a badge's name is a badge's. */
const NAME_IN = { badge: 'commenter', service: SERVICE, issuer: 'library', program: 'reading', key: 'forum awards', integration: 'gitlab' };

function resolve(schema, doc) {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++) s = doc.components?.schemas?.[refName(s.$ref)];
  return s;
}

/** An example value of a schema, or undefined when its shape says too little (any JSON, a cycle). */
export function exampleOf(schema, doc, hint = '', depth = 0, within = '') {
  const s = resolve(schema, doc);
  if (!s || depth > 8) return undefined;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  const alts = s.oneOf || s.anyOf;
  if (alts) {
    const values = alts.map((a) => exampleOf(a, doc, hint, depth + 1, within)).filter((v) => v !== undefined);
    return values.find((v) => v !== null) ?? values[0];
  }
  const type = [].concat(s.type ?? (s.properties ? 'object' : [])).find((t) => t !== 'null') ?? [].concat(s.type)[0];
  switch (type) {
    case 'object': {
      const out = {};
      const required = new Set(s.required || []);
      const props = Object.entries(s.properties || {});
      // The required fields say what an answer always holds; an object of optional fields only shows them all.
      for (const [name, p] of props.some(([name]) => required.has(name)) ? props.filter(([name]) => required.has(name)) : props) {
        const value = exampleOf(p, doc, name, depth + 1, hint);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case 'array': {
      const item = exampleOf(s.items, doc, hint.replace(/s$/, ''), depth + 1, within);
      return item === undefined ? [] : [item];
    }
    case 'string':
      if (s.format === 'date-time') return SAMPLE_TIME;
      if (s.format === 'uri' || s.format === 'url') return 'https://bakery.example/';
      if (s.format === 'email') return BY_NAME.email;
      if (hint === 'name' && NAME_IN[within]) return NAME_IN[within];
      return BY_NAME[hint] ?? (/At$/.test(hint) ? SAMPLE_TIME : hint === 'id' ? 'abc123' : 'string');
    case 'integer':
    case 'number':
      return Math.max(s.minimum ?? 1, s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

const shellQuote = (text) => `'${String(text).replaceAll("'", `'\\''`)}'`;
const json = (value) => {
  const flat = JSON.stringify(value);
  return flat.length <= 60 ? flat : JSON.stringify(value, null, 2);
};

/** The operation as a curl command against this server, with its credentials as variables. */
export function curlOf(path, method, op, params, doc, origin = 'http://localhost:3000') {
  const filled = path.replace(/\{(\w+)\}/g, (_, name) => {
    const p = params.find((q) => q.name === name && q.in === 'path');
    return encodeURIComponent(String(exampleOf(p?.schema, doc, name) ?? name));
  });
  const query = params
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(String(exampleOf(p.schema, doc, p.name) ?? ''))}`);
  const url = origin + filled + (query.length ? '?' + query.join('&') : '');
  const security = (op.security || []).flatMap((s) => Object.keys(s));
  const body = op.requestBody && contentOf(op.requestBody.content);
  const example = body && exampleOf(body.schema, doc);
  const lines = [`curl${method === 'get' ? '' : ' -X ' + method.toUpperCase()} ${shellQuote(url)}`];
  if (security.includes('key')) lines.push(`-H "Authorization: $KEY"`);
  else if (security.includes('admin')) lines.push(`-H "Authorization: Bearer $ADMIN_TOKEN"`);
  if (example !== undefined) lines.push(`-H 'Content-Type: ${body.type}'`, `-d ${shellQuote(json(example))}`);
  return lines.join(' \\\n  ');
}

function sample(title, text, label) {
  return h('figure', { class: 'sample' }, h('figcaption', {}, title), h('pre', { tabindex: '0', 'aria-label': label }, h('code', {}, text)));
}

/** The examples of an operation: the request as curl, its body, and the answer where the schema shows one. */
function examples(path, method, op, params, doc, origin) {
  const [status, ok] = Object.entries(op.responses || {}).find(([code]) => /^2/.test(code)) ?? [];
  const answer = ok && contentOf(ok.content);
  const value = answer && /json/.test(answer.type) ? exampleOf(answer.schema, doc) : undefined;
  const name = `${method.toUpperCase()} ${path}`;
  return h(
    'div',
    { class: 'samples' },
    sample('Request', curlOf(path, method, op, params, doc, origin), `Example request: ${name}`),
    value !== undefined ? sample(`Response ${status}`, JSON.stringify(value, null, 2), `Example response: ${name}`) : '',
  );
}

// ---------------------------------------------------------------------------------------------------

function operation(path, method, op, shared, doc, origin) {
  const params = [...shared, ...(op.parameters || [])];
  const secured = (op.security || []).flatMap((s) => Object.keys(s));
  const id = operationId(method, path);
  return h(
    'section',
    { class: 'operation', id, tabindex: '-1', 'aria-labelledby': id + '-title', 'data-search': [method, path, op.summary, ...(op.tags || [])].join(' ').toLowerCase() },
    h(
      'div',
      { class: 'operation-text' },
      h('h3', { id: id + '-title' }, h('a', { href: '#' + id, class: 'anchor' }, h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', pathCode(path))),
      op.summary ? h('p', { class: 'summary' }, prose(op.summary)) : '',
      op.description ? h('p', {}, prose(op.description)) : '',
      secured.length ? h('p', { class: 'note' }, 'Needs the service key: ', secured.flatMap((s, i) => [i ? ' or ' : '', h('a', { href: '#auth-' + s }, s)])) : h('p', { class: 'note' }, 'Public: no credentials.'),
      parameters(params),
      op.requestBody ? requestBody(op.requestBody) : '',
      h('h4', {}, 'Responses'),
      responses(op.responses || {}),
    ),
    examples(path, method, op, params, doc, origin),
  );
}

function response([status, r]) {
  const body = contentOf(r.content);
  return h('li', { class: 'field' }, h('div', { class: 'field-head' }, h('code', { class: `status status-${status[0]}xx` }, status), ' ', body ? h('span', { class: 'field-type' }, typeOf(body.schema)) : ''), h('div', { class: 'field-text' }, prose(r.description)));
}

/** The answers: success in full; the refusals, alike on most operations, folded under their codes. */
function responses(all) {
  const entries = Object.entries(all);
  const ok = entries.filter(([status]) => /^[23]/.test(status));
  const refusals = entries.filter(([status]) => !/^[23]/.test(status));
  return [
    h('ul', { class: 'fields responses' }, ok.map(response)),
    refusals.length ? h('details', { class: 'refusals' }, h('summary', {}, 'Refusals: ', refusals.map(([status], i) => [i ? ', ' : '', h('code', {}, status)])), h('ul', { class: 'fields responses' }, refusals.map(response))) : '',
  ];
}

function schema(name, s, doc) {
  const example = exampleOf(s, doc);
  return h(
    'section',
    { class: 'schema', id: schemaId(name) },
    h('h3', {}, h('code', {}, name), ' ', h('span', { class: 'note' }, typeOf(s))),
    s.description ? h('p', {}, prose(s.description)) : '',
    limits(s).length ? h('p', { class: 'limits' }, limits(s)) : '',
    fields(s),
    s.additionalProperties === true ? h('p', { class: 'note' }, 'Other fields are allowed.') : '',
    Array.isArray(s.examples) && example !== undefined ? sample('Example', JSON.stringify(example, null, 2), `Example of ${name}`) : '',
  );
}

/**
 * Renders an OpenAPI document into `root`: the API's description, every operation grouped by tag,
 * authentication, every schema. The contents go into `contents` when given (the page's side bar),
 * else at the top of `root`.
 */
export function renderReference(doc, root, { contents, origin } = {}) {
  const paths = Object.entries(doc.paths || {});
  const ops = paths.flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m], shared: item.parameters || [] })));
  const tagOf = (op) => op.tags?.[0] ?? 'other';
  const known = (doc.tags || []).map((t) => t.name);
  const tags = [...new Set([...known, ...ops.map(({ op }) => tagOf(op))])].filter((t) => ops.some(({ op }) => tagOf(op) === t));
  const describe = (tag) => doc.tags?.find((t) => t.name === tag)?.description;
  const schemes = Object.entries(doc.components?.securitySchemes || {});
  const schemas = Object.entries(doc.components?.schemas || {});
  const [lead, ...more] = String(doc.info?.description ?? '').split('\n\n');

  const toc = h(
    'nav',
    { class: 'toc', 'aria-label': 'Operations' },
    tags.map((tag) =>
      h(
        'div',
        { class: 'toc-group', 'data-tag': tag },
        h('a', { href: '#' + tagId(tag), class: 'toc-tag' }, capitalised(tag)),
        h(
          'ul',
          {},
          ops
            .filter(({ op }) => tagOf(op) === tag)
            .map(({ path, method, op }) => h('li', { 'data-op': operationId(method, path) }, h('a', { href: '#' + operationId(method, path), title: op.summary }, h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', pathCode(path)))),
        ),
      ),
    ),
    h('a', { href: '#authentication', class: 'toc-tag' }, 'Authentication'),
    h('a', { href: '#schemas', class: 'toc-tag' }, 'Schemas'),
  );
  if (contents) contents.replaceChildren(toc);

  root.replaceChildren(
    ...nodes([
      h('p', { class: 'lead' }, prose(lead)),
      more.length ? h('details', { class: 'intro' }, h('summary', {}, 'Keys, signatures, the test service and errors'), more.map((p) => h('p', {}, prose(p)))) : '',
      h('p', { class: 'note' }, 'The examples use the ', h('code', {}, SERVICE), " service of the README's five minutes and its key as ", h('code', {}, '$KEY'), ' (', h('code', {}, `npx user-badges service show-key ${SERVICE}`), ').'),
      h('p', { class: 'note version' }, `${doc.info?.title} `, h('strong', {}, doc.info?.version ?? ''), ` · OpenAPI ${doc.openapi} · `, h('a', { href: '/openapi.json' }, '/openapi.json')),
      contents ? '' : toc,
      h('p', { class: 'no-match', id: 'no-match', hidden: true }),
      tags.map((tag) =>
        h(
          'section',
          { class: 'tag-group', id: tagId(tag), 'data-tag': tag },
          h('h2', {}, capitalised(tag)),
          describe(tag) ? h('p', { class: 'note' }, prose(describe(tag))) : '',
          ops.filter(({ op }) => tagOf(op) === tag).map(({ path, method, op, shared }) => operation(path, method, op, shared, doc, origin)),
        ),
      ),
      schemes.length ? h('section', { class: 'tag-group', id: 'authentication' }, h('h2', {}, 'Authentication'), schemes.map(([name, s]) => h('section', { class: 'schema', id: 'auth-' + name }, h('h3', {}, h('code', {}, name)), h('p', {}, `${s.type}, in ${s.in ?? 'header'} `, h('code', {}, s.name ?? s.scheme ?? ''), ': ', prose(s.description))))) : '',
      h('section', { class: 'tag-group', id: 'schemas' }, h('h2', {}, 'Schemas'), schemas.map(([name, s]) => schema(name, s, doc))),
    ]),
  );
  return { count: ops.length };
}

/**
 * Shows only the operations whose method, path, summary or tag hold every word of `query`, in the
 * page and in the contents; says how many in `status`. Hiding, never removing: links stay valid.
 */
export function filterOperations(root, contents, query, status) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const sections = [...root.querySelectorAll('.operation')];
  let shown = 0;
  for (const section of sections) {
    const match = words.every((w) => section.dataset.search.includes(w));
    section.hidden = !match;
    contents.querySelector(`li[data-op="${section.id}"]`)?.toggleAttribute('hidden', !match);
    if (match) shown++;
  }
  for (const group of root.querySelectorAll('.tag-group[data-tag]')) group.hidden = !group.querySelector('.operation:not([hidden])');
  for (const group of contents.querySelectorAll('.toc-group')) group.hidden = !group.querySelector('li:not([hidden])');
  // Authentication and schemas are not operations: out of the way while searching.
  for (const id of ['authentication', 'schemas']) root.querySelector('#' + id)?.toggleAttribute('hidden', words.length > 0);
  const none = root.querySelector('#no-match');
  if (none) {
    none.hidden = shown > 0;
    none.textContent = shown ? '' : `No operation matches “${query.trim()}”.`;
  }
  if (status) status.textContent = words.length ? `${shown} of ${sections.length} operations` : `${sections.length} operations`;
  return shown;
}

const root = typeof document != 'undefined' && document.getElementById('reference');
if (root) {
  const contents = document.getElementById('contents');
  const search = document.getElementById('search');
  const status = document.getElementById('search-status');
  fetch('/openapi.json')
    .then((r) => {
      if (!r.ok) throw new Error(`/openapi.json answered ${r.status}`);
      return r.json();
    })
    .then((doc) => {
      // The contents stay folded on a phone, where they come before the page; beside it, they are open.
      document.getElementById('contents-box').open = matchMedia('(min-width: 960px)').matches;
      renderReference(doc, root, { contents, origin: location.origin });
      const run = () => filterOperations(root, contents, search.value, status);
      search.addEventListener('input', run);
      search.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' && search.value) {
          search.value = '';
          run();
        } else if (e.key === 'Enter') {
          // To the first operation found, as a link would go.
          const first = root.querySelector('.operation:not([hidden])');
          if (first) {
            location.hash = first.id;
            first.focus();
          }
        }
      });
      // "/" anywhere outside a field goes to the search, as on GitHub.
      document.addEventListener('keydown', (e) => {
        if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement?.tagName ?? '')) return;
        e.preventDefault();
        search.focus();
        search.select();
      });
      search.disabled = false;
      run();
      if (location.hash) document.getElementById(location.hash.slice(1))?.scrollIntoView();
    })
    .catch((e) => {
      status.textContent = '';
      root.replaceChildren(h('p', { role: 'alert' }, 'The API description could not be loaded: ' + e.message));
    });
}

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { OPERATIONS, UserBadgesClient, UserBadgesError, verifyWebhook, WebhookVerificationError, type WebhookPayload } from '../../client/user-badges-client.js';
import { answerKind, generateOperations, OPERATIONS_FILE } from '../../scripts/generate-client.js';
import { routes } from '../../server/app/features/index.js';
import { DOMAIN_EVENT_NAMES } from '../../types/domain-events.js';
import { startReceiver, type Receiver } from '../support/receiver.js';
import { start, type Harness } from './harness.js';

/**
 * The client generated from the route table (issue 24.5): it covers every route, as declared, and its
 * operations work against the real server on either store. Webhooks (issue 24.6): real deliveries pass
 * the client's `verifyWebhook` and the payload schemas `/openapi.json` documents under `webhooks`.
 */

describe('the generated client covers the route table', () => {
  test('client/generated/operations.ts is what the route table generates now', async () => {
    const committed = await readFile(OPERATIONS_FILE, 'utf8');
    assert.ok(committed === (await generateOperations(routes)), 'stale: run `node --import tsx scripts/generate-client.ts` (npm run build:server does)');
  });

  test('calls that could never work are refused before any request', async () => {
    const server = 'http://127.0.0.1:9';
    assert.throws(() => new UserBadgesClient({ server, service: 's', keyId: 'key_x' }), /both keyId and keySecret/);
    assert.throws(() => new UserBadgesClient({ server, service: 's', adminToken: '' }), /adminToken is ""/);
    const client = new UserBadgesClient({ server, service: 's' });
    await assert.rejects(client.call('getUser', {} as never), /getUser needs params.name/);
    await assert.rejects(client.call('createRule', {} as never), /createRule needs a body/);
    await assert.rejects(client.call('noSuchOperation' as never), /No operation "noSuchOperation"/);
    await assert.rejects(client.call('toString' as never), /No operation "toString"/);
  });

  test('every route is an operation of the client, with its method, path and auth; and the client has no other', () => {
    for (const route of routes) {
      assert.deepEqual(OPERATIONS[route.operationId as keyof typeof OPERATIONS], {
        method: route.method.toUpperCase(),
        path: route.path,
        auth: route.auth,
        body: route.body === undefined ? 'none' : route.optionalBody ? 'optional' : 'required',
        answer: answerKind(route.response.contentType),
      }, `${route.operationId}: ${route.method.toUpperCase()} ${route.path}`);
    }
    assert.deepEqual(Object.keys(OPERATIONS).sort(), routes.map((route) => route.operationId).sort());
  });
});

const KEY = 'shop-key-0123456789';
const ADMIN = 'client-admin-token-0123456789abcdef';

describe(`the generated client against the server (${process.env.TEST_STORE ?? 'lowdb'})`, () => {
  let h: Harness;
  let receiver: Receiver;
  let shop: UserBadgesClient;

  before(async () => {
    receiver = await startReceiver();
    h = await start({ config: { adminToken: ADMIN, access: { webhookAllowPrivate: true, webhookPollMs: 50, webhookLeaseMs: 5_000, webhookTimeoutMs: 5_000 } } });
    await h.domain.createService('shop', KEY);
    shop = new UserBadgesClient({ server: h.base, service: 'shop', key: KEY, auth: 'header' });
  });
  after(async () => {
    await h.close();
    await receiver.close();
  });

  test('operations of every group; every event type a service can cause is delivered verified and as documented', async () => {
    const { api } = shop;
    const endpoint = await api.createWebhookEndpoint({ body: { url: `${receiver.base}/all` } });
    receiver.expect('/all', endpoint.secret);
    const other = await api.createWebhookEndpoint({ body: { url: `${receiver.base}/other`, events: ['badge.created'] } });

    // Badges, awards, revocations (awards made before award instances existed too), reads.
    await api.putBadges({ body: { badges: [{ name: 'gold' }, { name: 'silver' }] } });
    await api.putBadges({ body: { badges: [{ name: 'silver', description: 'Shiny' }] } });
    assert.deepEqual((await api.awardBadges({ params: { name: 'ann' }, body: { badges: ['gold', 'gold'] } })).user, { name: 'ann', badges: ['gold'] });
    assert.equal((await api.getUser({ params: { name: 'ann' } })).badges[0]!.count, 2);
    await api.revokeBadges({ params: { name: 'ann' }, body: { badges: ['gold'] } });
    await h.store.run('shop', new Date(), async (tx) => {
      const at = new Date(Date.now() - 86_400_000).toISOString();
      tx.put({ t: 'user', s: 'shop', v: { name: 'old', createdAt: at, awards: [{ badge: 'gold', count: 3, first: at, latest: at }] } });
    });
    await api.revokeBadges({ params: { name: 'old' }, body: { badges: ['gold'] } });
    assert.deepEqual((await api.listBadges({ query: { sort: 'name' } })).badges.map((b) => b.name), ['gold', 'silver']);
    await api.deleteBadges({ body: { badges: ['silver'] } });

    // Rules and event settings, integrations.
    await api.putBadges({ body: { badges: [{ name: 'silver' }] } });
    await api.createRule({ body: { id: 'follow', badge: 'silver', condition: 'badges', badges: ['gold'] } });
    await api.updateRule({ params: { id: 'follow' }, body: { badge: 'silver', condition: 'badges', badges: ['gold'], revoke: true } });
    assert.deepEqual((await api.listRules()).rules.map((rule) => rule.id), ['follow']);
    await api.deleteRule({ params: { id: 'follow' } });
    await api.putEventSettings({ body: { publicEvents: true } });
    const integration = await api.createIntegration({ body: { name: 'ci' } });
    await api.deleteIntegration({ params: { id: integration.id } });

    // Scoped keys, used as HTTP Basic by a client of their own.
    const key = await api.createKey({ body: { label: 'bot', operations: ['award', 'read_private'] } });
    const bot = new UserBadgesClient({ server: h.base, service: 'shop', keyId: key.id, keySecret: key.secret });
    await bot.api.awardBadges({ params: { name: 'bea' }, body: { badges: ['gold'] } });
    assert.deepEqual((await bot.award('bo', ['silver'])).user, { name: 'bo', badges: ['silver'] }, 'the older methods take a scoped key too');
    assert.equal((await bot.api.listWebhookEndpoints()).endpoints.length, 2);
    await assert.rejects(bot.api.createKey({ body: { label: 'more', operations: ['award'] } }), (e: unknown) => e instanceof UserBadgesError && e.status === 403 && e.code === 'key_out_of_scope');
    await api.deleteKey({ params: { id: key.id } });

    // Addresses, bulk awards and invitations; claim codes.
    await api.awardMany({ params: { badge: 'gold' }, body: { emails: ['new@example.org', 'gone@example.org'] } });
    await api.setUserEmails({ params: { name: 'cid' }, body: { emails: ['new@example.org'] } });
    const [pending] = (await api.listInvitations()).invitations;
    await api.cancelInvitation({ params: { id: pending!.id } });
    const [code] = (await api.createClaimCodes({ params: { badge: 'silver' }, body: {} })).codes;
    await api.redeemClaimCode({ params: { code: code!.code }, body: { user: 'cid' } });

    // What a user shows, renaming and erasure.
    await api.setDisplay({ params: { name: 'cid' }, body: { featured: ['silver'] } });
    await api.renameUser({ params: { name: 'cid' }, body: { to: 'cy' } });
    // An erasure takes the person's messages not yet delivered (their data is the person's): the
    // rename's is awaited, or a quick erasure would leave nothing of it to check.
    const renamed = () => receiver.at('/all').some((r) => (JSON.parse(r.body) as { type: string }).type === 'user.renamed');
    await receiver.until(renamed, 30_000, "the delivery of user.renamed, before the user's erasure");
    await api.eraseUser({ params: { name: 'cy' } });

    // Issuers and programs; applications.
    await api.putIssuer({ params: { issuer: 'press' }, body: { name: 'The Press' } });
    await api.putIssuer({ params: { issuer: 'press' }, body: { name: 'The Press', url: 'https://press.example.org' } });
    await api.putProgram({ params: { program: 'summer' }, body: { name: 'Summer', issuer: 'press' } });
    await api.putProgram({ params: { program: 'summer' }, body: { name: 'Summer camp', issuer: 'press' } });
    await api.deleteProgram({ params: { program: 'summer' } });
    await api.deleteIssuer({ params: { issuer: 'press' } });
    const application = await api.submitApplication({ params: { badge: 'silver' }, body: { user: 'gus' } });
    await api.assignApplication({ params: { id: application.id }, body: { reviewer: 'rita' } });
    await api.reviewApplication({ params: { id: application.id }, body: { reviewer: 'rita', approved: true } });
    await api.awardApplication({ params: { id: application.id } });
    await api.deleteApplication({ params: { id: application.id } });

    // Reads of other groups, public and private.
    assert.ok((await api.getActivity()).activity.length > 0);
    assert.ok((await api.getLeaderboard()).users.some((user) => user.name === 'bea'));
    assert.deepEqual((await api.getBadgeHolders({ params: { badge: 'gold' } })).holders.map((holder) => holder.name), ['bea']);
    assert.ok((await api.getAudit()).audit.length > 10);
    assert.equal((await api.getHealth()).ok, true);
    await assert.rejects(api.getUser({ params: { name: 'nobody' } }), (e: unknown) => e instanceof UserBadgesError && e.status === 404 && e.code === 'user_not_found');

    // The operator's API, and the service's own: settings, key rotation.
    const operator = new UserBadgesClient({ server: h.base, service: 'shop', adminToken: ADMIN });
    assert.ok((await operator.api.listServices()).services.some((service) => service.name === 'shop'));
    await operator.api.updateService({ params: { name: 'shop' }, body: { legacySignatures: false } });
    await assert.rejects(shop.api.listServices(), (e: unknown) => e instanceof UserBadgesError && e.status === 401);
    await api.updateWebhookEndpoint({ params: { id: other.id }, body: { disabled: true } });
    await api.deleteWebhookEndpoint({ params: { id: other.id } });
    await api.rotateOwnServiceKey({ query: { grace: '1h' } });

    // Every type but the service's creation and deletion (no endpoint hears those), once at least.
    const expected = DOMAIN_EVENT_NAMES.filter((type) => type !== 'service.created' && type !== 'service.deleted');
    const types = () => new Set(receiver.at('/all').map((r) => (JSON.parse(r.body) as { type: string }).type));
    await receiver.until(() => expected.every((type) => types().has(type)), 120_000, 'a delivery of every event type at /all').catch((error: Error) => {
      throw new Error(`${error.message.slice(0, 200)}; missing: ${expected.filter((type) => !types().has(type)).join(', ')}`);
    });

    const document = (await (await fetch(`${h.base}/openapi.json`)).json()) as { webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { schema: { $ref: string } } } } } }>; components: unknown };
    const ajv = new Ajv({ strict: false, allErrors: true });
    // ajv-formats is CommonJS: its function is the default export's `default` under some loaders.
    ((formats as unknown as { default?: (ajv: Ajv) => void }).default ?? (formats as unknown as (ajv: Ajv) => void))(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: document.components });
    const payloads: WebhookPayload[] = [];
    for (const received of receiver.at('/all')) {
      const payload = await verifyWebhook(endpoint.secret, received.body, received.headers);
      payloads.push(payload);
      const { $ref } = document.webhooks[payload.type]!.post.requestBody.content['application/json'].schema;
      const validate = ajv.getSchema(`openapi.json${$ref}`)!;
      assert.ok(validate(payload), `${payload.type} as delivered is not as documented: ${ajv.errorsText(validate.errors)}\n${received.body}`);
    }

    // `count` is the number of awards the write made or took, and `awards` names each, in both.
    const awardsOf = (type: string, user: string) => payloads.filter((p) => p.type === type && 'user' in p.data && p.data.user === user).map((p) => p.data as { count: number; awards: string[] });
    const [made] = awardsOf('award.created', 'ann');
    const [taken] = awardsOf('award.revoked', 'ann');
    assert.deepEqual([made!.count, made!.awards.length, taken!.count, [...taken!.awards].sort()], [2, 2, 2, [...made!.awards].sort()]);
    const [old] = awardsOf('award.revoked', 'old');
    assert.deepEqual([old!.count, old!.awards.length, new Set(old!.awards).size], [3, 3, 3], 'awards from before instances: each named');
    const byBot = payloads.find((p) => p.type === 'award.created' && p.data.user === 'bea')!;
    assert.deepEqual(byBot.data.actor, { type: 'key', id: key.id });
  });

  test('signed requests (the default) for private reads and writes alike', async () => {
    const signed = new UserBadgesClient({ server: h.base, service: 'shop', key: KEY });
    assert.ok((await signed.api.listWebhookEndpoints()).endpoints.length >= 1);
    const made = await signed.api.createKey({ body: { label: 'signed', operations: ['award'] } });
    assert.ok((await signed.api.listKeys()).keys.some((key) => key.id === made.id));
    await signed.api.deleteKey({ params: { id: made.id } });
  });

  test('verifyWebhook refuses a changed body, another secret, a stale or missing timestamp, and takes a fetch Headers', async () => {
    const endpoint = await shop.api.createWebhookEndpoint({ body: { url: `${receiver.base}/verify`, events: ['badge.updated'] } });
    receiver.expect('/verify', endpoint.secret);
    await shop.api.putBadges({ body: { badges: [{ name: 'gold', description: 'Golden' }] } });
    await receiver.until(() => receiver.at('/verify').length === 1);
    const [received] = receiver.at('/verify');
    const { body, headers } = received!;
    assert.ok(body.includes('"gold"'));
    assert.equal((await verifyWebhook(endpoint.secret, Buffer.from(body), headers)).type, 'badge.updated', 'the raw bytes');
    const fetchHeaders = new Headers(Object.entries(headers).map(([name, value]): [string, string] => [name, String(value)]));
    assert.equal((await verifyWebhook(endpoint.secret, body, fetchHeaders)).type, 'badge.updated');
    const refused = (code: string) => (e: unknown) => e instanceof WebhookVerificationError && e.code === code;
    await assert.rejects(verifyWebhook(endpoint.secret, body.replace('"gold"', '"golx"'), headers), refused('invalid_signature'));
    await assert.rejects(verifyWebhook('whsec_' + Buffer.from('another secret').toString('base64'), body, headers), refused('invalid_signature'));
    await assert.rejects(verifyWebhook('not-a-secret', body, headers), refused('invalid_secret'));
    const sent = Number(headers['webhook-timestamp']);
    await assert.rejects(verifyWebhook(endpoint.secret, body, headers, { now: () => sent + 301 }), refused('stale_timestamp'));
    assert.equal((await verifyWebhook(endpoint.secret, body, headers, { now: () => sent + 299 })).type, 'badge.updated');
    await assert.rejects(verifyWebhook(endpoint.secret, body, { ...headers, 'webhook-timestamp': String(sent + 1) }), refused('invalid_signature'));
    const { 'webhook-signature': _, ...unsigned } = headers;
    await assert.rejects(verifyWebhook(endpoint.secret, body, unsigned), refused('missing_headers'));
    // A rotated secret: the sender may sign with several; one matching is enough.
    assert.equal((await verifyWebhook(endpoint.secret, body, { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` })).type, 'badge.updated');
  });
});

import { bulkAward } from '../../server/core/access/bulk-award.js';
import { makeClaimCodes, redeemClaimCode } from '../../server/core/access/claim-codes.js';
import { setEmails } from '../../server/core/access/emails.js';
import { setSegments } from '../../server/core/segments.js';
import { reviewApplication, submitApplication } from '../../server/core/assessment/applications.js';
import { invite } from '../../server/core/access/invitations.js';
import { createEndpoint, newEndpointSecret, DELIVERY_KIND, leaseDeliveries, recordAttempt } from '../../server/core/access/webhooks.js';
import type { Domain } from '../../server/core/domain.js';
import { putEventTypes } from '../../server/core/events/event-types.js';
import { ingest } from '../../server/core/events/ingest.js';
import { createRule } from '../../server/core/events/rules.js';
import type { Queries } from '../../server/core/ports.js';

/**
 * A person, `Ann Zed`, of whom a service keeps a record of every kind that holds personal data, beside
 * another person, `bob`: what export, erasure and renaming are tested on. The service needs badges
 * `gold`, `silver` and `bronze`; `tick` moves the domain's clock.
 *
 * She has: a user record (gold by an invitation claimed, silver by a rule, bronze by a claim code),
 * two addresses (one with an expired invitation never removed), events, refused events (one naming
 * her, one her address), activity, rule states and an expiry, a claim redemption, webhook messages
 * with their deliveries and an attempt, audit entries, segments, and applications (one assigned to a reviewer,
 * one reviewed).
 */
export const ANN = { name: 'Ann Zed', addresses: ['ann.zed@example.org', 'old.zed@example.org'] };
/** What must be nowhere once she is erased: her name and addresses (no random id can hold a space or an "@"). */
export const ANNS_TRACES = [ANN.name, ...ANN.addresses];

/** Every kind of item that holds her own data (her addresses' records aside). */
export const ANNS_KINDS = [
  'activity',
  'application',
  'application-assignment',
  'audit',
  'award',
  'claim-redemption',
  'delivery',
  'delivery-attempt',
  'email',
  'event',
  'event-rejected',
  'invitation-claimed',
  // What open pages are told of her awards (core/live.ts).
  'live',
  'review',
  'rule-expiry',
  'rule-state',
  // The segments she is in (CrowdTwist's), which decide the badges she may earn.
  'segments',
  'webhook-message',
];

/**
 * `ids`: the claim code and the endpoint's signing secret, where a test needs them as the API makes
 * them (an import checks their shape).
 */
export async function aPersonEverywhere(domain: Domain, store: Queries, tick: (ms: number) => void, service = 'shop', ids = { code: 'CODE0001', secret: newEndpointSecret() }): Promise<void> {
  const type = { source: 'app', type: 'comment', action: 'post' };
  await domain.run(service, (tx) => createEndpoint(tx, service, 'ep_aaaaaaaaaaaaaaaaaaaa', ids.secret, { url: 'https://hooks.example.invalid/all', events: ['*'], description: '' }));
  await domain.run(service, (tx) => putEventTypes(tx, service, [type]));
  await domain.run(service, (tx) => createRule(tx, service, { badge: 'silver', condition: 'count', eventTypes: [type], count: 2, window: 'P7D', revoke: true }, 'talker'));
  await domain.run(service, async (tx) => {
    await bulkAward(tx, service, 'gold', [{ key: ANN.addresses[0]!, email: ANN.addresses[0]! }], 'Welcome', 0);
    await invite(tx, service, ANN.addresses[1]!, (await tx.badges(service, ['gold'])).get('gold')!, null, 1000);
  });
  tick(2000);
  // The first address claims its invitation; the second's expired and stays until the expiry job runs.
  await domain.run(service, (tx) => setEmails(tx, service, ANN.name, ANN.addresses));
  await domain.run(service, (tx) => setSegments(tx, service, ANN.name, [1043]));
  await domain.run(service, (tx) =>
    ingest(
      tx,
      service,
      [
        { eventType: type, id: 'c1', user: ANN.name, preview: 'Hello' },
        { eventType: type, id: 'c2', email: 'ANN.Zed@example.org', permalink: 'https://example.org/c2' },
        { eventType: { source: 'app', type: 'nope', action: 'x' }, id: 'bad-1', user: ANN.name },
        { eventType: { source: 'app', type: 'nope', action: 'x' }, id: 'bad-2', email: ANN.addresses[1] },
        { eventType: type, id: 'b1', user: 'bob' },
      ],
      { via: 'api' },
    ),
  );
  await domain.run(service, async (tx) => {
    await makeClaimCodes(tx, service, 'bronze', [ids.code], 1, null, 'ccb_aaaaaaaaaaaaaaaaaaaa', null);
    await redeemClaimCode(tx, service, ids.code, ANN.name);
  });
  await domain.run(service, async (tx) => {
    await submitApplication(tx, service, { badge: 'silver', user: ANN.name, evidence: [{ url: 'https://example.org/ann/essay', reflection: 'My essay' }], assignment: { reviewer: 'rita', expiresAt: null } });
    const reviewed = await submitApplication(tx, service, { badge: 'gold', user: ANN.name, evidence: [] });
    await reviewApplication(tx, service, reviewed.id, { reviewer: 'rita', comment: 'Not yet', approved: false, items: [] }, 0);
  });
  await domain.award(service, 'bob', ['gold', 'bronze']);
  tick(1000);
  const deliveries = await store.listItems(service, DELIVERY_KIND, { subject: ANN.name, limit: 1 });
  await domain.run(service, async (tx) => {
    const [lease] = await leaseDeliveries(tx, service, deliveries.map((d) => d.id), 60_000);
    // A server's delivery job may have taken it first, and will log its attempt itself.
    if (lease) await recordAttempt(tx, lease, { ok: false, responseCode: 500, latencyMs: 3, error: null, retryAfterMs: null }, { delaysMs: [60_000], disableAfterMs: 86_400_000 });
  });
}

import { MozillaAwardBody, MozillaAwardParams, MozillaAwardResponse } from '../../../types/access-schema.js';
import type { HttpError } from '../errors.js';
import type { V1Context } from './context.js';
import { awardMany } from './invitations.js';
import { route } from './table.js';

/**
 * badges.mozilla.org's award API at its own path under the service (`/mozilla/{service}` before the
 * badge URL it printed): a valet key as HTTP Basic, its answer, and its refusals as it sent them:
 * plain English text, a wrong user or password 403 (not our 401).
 */
export const mozillaRoutes = [
  route({
    method: 'post',
    path: '/mozilla/{service}/{locale}/badges/badge/{badge}/awards',
    operationId: 'mozillaAwardBadge',
    summary: 'badges.mozilla.org: award a badge to addresses',
    description:
      'Their body (`emails` required, `description` optional) and answer: `successes` AWARDED or INVITED, `errors` ALREADYAWARDED or `EXCEPTION {msg}` (an address that is not one, a badge whose terms refuse it now). Their valet key is a scoped key that may award the badge, sent as `curl -u <key id>:<secret>`. Refusals are `text/plain`: 403 for a wrong user or password or a badge the key may not award, 400 for a body that is not JSON or has no `emails`.',
    tags: ['access'],
    auth: 'service',
    operation: 'award',
    scopeBadges: ({ params }) => [params.badge],
    params: MozillaAwardParams,
    body: MozillaAwardBody,
    response: { description: 'Per address, as sent', schema: MozillaAwardResponse },
    errors: { 403: 'A wrong user or password, or a key that may not award this badge (text/plain)', 404: 'The service or the badge does not exist (text/plain)' },
    refusal: { contentType: 'text/plain', render: asMozilla },
    handler: async (ctx, { params, body }, deps) => {
      const result = await awardMany(ctx.state.service.name, params.badge, body.emails, [], body.description ?? null, deps);
      const errors = Object.fromEntries(Object.entries(result.errors).map(([email, code]) => [email, code === 'ALREADYAWARDED' ? code : `EXCEPTION ${EXCEPTIONS[code] ?? code}`]));
      return { successes: result.successes, errors };
    },
  }),
];

const EXCEPTIONS: Record<string, string> = {
  INVALID: 'not an email address',
  DISABLED: 'the badge is disabled',
  NOT_STARTED: 'the badge cannot be earned yet',
  ENDED: 'the badge can no longer be earned',
  MAX_REACHED: 'the badge was awarded as many times as it may be',
  FREQUENCY_CAP: 'the badge was awarded as often as it may be in this period',
  NOT_ELIGIBLE: 'the badge is not for this member\'s segments',
};

function asMozilla(ctx: V1Context, error: HttpError): void {
  ctx.status = error.status === 401 ? 403 : error.status;
  ctx.type = 'text/plain';
  ctx.body = `${error.message}\n`;
}

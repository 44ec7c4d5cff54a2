import { LiveQuery } from '../../../types/leaderboard-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import { HttpError } from '../errors.js';
import { ANSWERED, route } from './table.js';
import { Type } from '@sinclair/typebox';

/**
 * `GET /v1/:service/live?users=a,b`: the page's live stream (Server-Sent Events). Answered by Koa
 * (the fast path declines it, the request log writes its line when it ends), never compressed, and
 * written to the socket as each event comes.
 */
export const liveRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/live',
    operationId: 'getLive',
    summary: 'Awards, revocations and badge changes as they happen: one Server-Sent Events stream per page',
    description: [
      'One stream for every user a page shows (browsers allow 6 connections per origin over HTTP/1.1): `users=a,b`; without it, the awards of every user (a leaderboard).',
      'Events: `award`, `revoke` (`{type, user, badge, count, at}`), `badge` (a badge of the service was created, changed or deleted: `{type, badge, at}`), `display` (a user changed what they feature or hide), `reload` (the page missed more than the backlog keeps: read again), `close` (the server is stopping: reconnect).',
      'Each event has an `id`, in commit order per service on every instance: a page that reconnects with `Last-Event-ID` (browsers send it themselves) gets exactly the events it missed, or `reload`. A comment-free heartbeat (`id:` alone) every 25 s keeps proxies from closing the stream and moves the page\'s last id on.',
      'Awards of a badge the user hides, or outside its display window, are not sent. At most 32 streams per address, 5,000 per service and 10,000 per server (LIVE_MAX_*): more are refused with 429 `too_many_streams` or 503 `busy`. The last tenth of a server\'s streams is kept for services holding fewer than a hundredth of them.',
    ].join('\n\n'),
    tags: ['live'],
    auth: 'public',
    params: ServiceParams,
    query: LiveQuery,
    response: { description: 'The stream (`text/event-stream`), open until the page or the server closes it', schema: Type.String(), contentType: 'text/event-stream' },
    errors: { 429: 'Too many streams from this address or for this service (`too_many_streams`)', 503: 'This server holds all the streams it may (`busy`), or is stopping (`store_closed`)' },
    etag: false,
    handler: async (ctx, { query }, { live }) => {
      const started = performance.now();
      const header = ctx.get('last-event-id');
      const raw = header !== '' ? header : query.last_event_id;
      if (raw !== undefined && !/^[0-9]{1,16}$/.test(raw)) throw new HttpError(400, 'invalid_last_event_id', 'Last-Event-ID must be an event id of this stream');
      live.admit(ctx.state.service.name, ctx.ip);
      ctx.respond = false;
      await live.open(ctx.state.service.name, query.users ?? null, raw === undefined ? null : Number(raw), ctx.res, ctx.ip, started);
      return ANSWERED;
    },
  }),
];

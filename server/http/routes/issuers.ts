import type { Static } from '@sinclair/typebox';
import {
  Issuer as IssuerSchema,
  IssuerBody,
  IssuerDeleted,
  IssuerList,
  IssuerParams,
  Program as ProgramSchema,
  ProgramBody,
  ProgramDeleted,
  ProgramList,
  ProgramParams,
  ProgramsQuery,
} from '../../../types/issuing-schema.js';
import { ServiceParams } from '../../../types/schema.js';
import {
  DEFAULT_ISSUER,
  deleteIssuer,
  deleteProgram,
  implicitIssuer,
  ISSUER_KIND,
  issuerFrom,
  issuerNotFound,
  PROGRAM_KIND,
  programNotFound,
  putIssuer,
  putProgram,
  type Issuer,
  type Program,
} from '../../core/issuing/issuers.js';
import { route } from './table.js';

/** `/v1/:service/issuers` and `/v1/:service/programs`: who gives a service's badges (BadgeKit's issuers and programs). */

const issuerView = ({ id, name, url, email, image, description, implicit, createdAt, updatedAt }: Issuer): Static<typeof IssuerSchema> => ({
  id,
  name,
  ...(url !== undefined ? { url } : {}),
  ...(email !== undefined ? { email } : {}),
  ...(image !== undefined ? { image } : {}),
  ...(description !== undefined ? { description } : {}),
  ...(implicit ? { implicit } : {}),
  createdAt,
  updatedAt,
});

const programView = ({ id, issuer, name, url, description, createdAt, updatedAt }: Program): Static<typeof ProgramSchema> => ({
  id,
  issuer,
  name,
  ...(url !== undefined ? { url } : {}),
  ...(description !== undefined ? { description } : {}),
  createdAt,
  updatedAt,
});

const inUse = 'It has programs or badges (`issuer_in_use`, their names in `details`)';

export const issuerRoutes = [
  route({
    method: 'get',
    path: '/v1/{service}/issuers.json',
    operationId: 'listIssuers',
    summary: "The service's issuers: the default one (the service itself) first",
    tags: ['issuers'],
    auth: 'public',
    params: ServiceParams,
    response: { description: 'Every issuer', schema: IssuerList },
    handler: async (ctx, _input, { store }) => {
      const service = ctx.state.service;
      const items = await store.listItems(service.name, ISSUER_KIND, {});
      const own = items.find((item) => item.id === DEFAULT_ISSUER);
      const others = items.filter((item) => item.id !== DEFAULT_ISSUER);
      return { issuers: [own ? (own.v as Issuer) : implicitIssuer(service), ...others.map((item) => item.v as Issuer)].map(issuerView) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/issuers/{issuer}.json',
    operationId: 'getIssuer',
    summary: "An issuer's profile",
    tags: ['issuers'],
    auth: 'public',
    params: IssuerParams,
    response: { description: 'The issuer', schema: IssuerSchema },
    errors: { 404: 'No such issuer (`issuer_not_found`)' },
    handler: async (ctx, { params }, { store }) => {
      const service = ctx.state.service;
      const issuer = issuerFrom(service, params.issuer, await store.getItem(service.name, ISSUER_KIND, params.issuer));
      if (!issuer) throw issuerNotFound(service.name, params.issuer);
      return issuerView(issuer);
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/issuers/{issuer}.json',
    operationId: 'putIssuer',
    summary: "Create an issuer, or replace its profile; `default` sets the service's own",
    tags: ['issuers'],
    auth: 'service',
    operation: 'manage_badges',
    scopeBadges: () => 'all',
    params: IssuerParams,
    body: IssuerBody,
    response: { description: 'The issuer', schema: IssuerSchema },
    errors: { 400: 'Not an issuer id, or a field that is not one (`invalid_issuer_id`, `invalid_url`, `invalid_email`, `too_many_issuers`)' },
    handler: async (ctx, { params, body }, { domain }) => {
      const service = ctx.state.service.name;
      const { issuer } = await domain.run(service, (tx) => putIssuer(tx, service, params.issuer, body));
      return issuerView(issuer);
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/issuers/{issuer}.json',
    operationId: 'deleteIssuer',
    summary: 'Delete an issuer nothing belongs to (the default issuer: drop its profile)',
    tags: ['issuers'],
    auth: 'service',
    operation: 'manage_badges',
    scopeBadges: () => 'all',
    params: IssuerParams,
    response: { description: 'Deleted', schema: IssuerDeleted },
    errors: { 404: 'No such issuer (`issuer_not_found`)', 409: inUse },
    handler: async (ctx, { params }, { domain }) => {
      const service = ctx.state.service.name;
      await domain.run(service, (tx) => deleteIssuer(tx, service, params.issuer));
      return { id: params.issuer, deleted: true as const };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/programs.json',
    operationId: 'listPrograms',
    summary: "The service's programs, or one issuer's",
    tags: ['issuers'],
    auth: 'public',
    params: ServiceParams,
    query: ProgramsQuery,
    response: { description: 'The programs', schema: ProgramList },
    handler: async (ctx, { query }, { store }) => {
      const items = await store.listItems(ctx.state.service.name, PROGRAM_KIND, query.issuer === undefined ? {} : { owner: query.issuer });
      return { programs: items.map((item) => programView(item.v as Program)) };
    },
  }),
  route({
    method: 'get',
    path: '/v1/{service}/programs/{program}.json',
    operationId: 'getProgram',
    summary: 'A program',
    tags: ['issuers'],
    auth: 'public',
    params: ProgramParams,
    response: { description: 'The program', schema: ProgramSchema },
    errors: { 404: 'No such program (`program_not_found`)' },
    handler: async (ctx, { params }, { store }) => {
      const item = await store.getItem(ctx.state.service.name, PROGRAM_KIND, params.program);
      if (!item) throw programNotFound(ctx.state.service.name, params.program);
      return programView(item.v as Program);
    },
  }),
  route({
    method: 'put',
    path: '/v1/{service}/programs/{program}.json',
    operationId: 'putProgram',
    summary: 'Create a program, or replace it; moved to another issuer, its badges move with it',
    tags: ['issuers'],
    auth: 'service',
    operation: 'manage_badges',
    scopeBadges: () => 'all',
    params: ProgramParams,
    body: ProgramBody,
    response: { description: 'The program', schema: ProgramSchema },
    errors: { 400: 'Not a program id, an issuer that does not exist, or a field that is not one (`invalid_program_id`, `unknown_issuer`, `invalid_url`, `too_many_programs`)' },
    handler: async (ctx, { params, body }, { domain }) => {
      const service = ctx.state.service.name;
      const { program } = await domain.run(service, (tx) => putProgram(tx, service, params.program, { ...body, issuer: body.issuer ?? DEFAULT_ISSUER }));
      return programView(program);
    },
  }),
  route({
    method: 'delete',
    path: '/v1/{service}/programs/{program}.json',
    operationId: 'deleteProgram',
    summary: 'Delete a program no badge belongs to',
    tags: ['issuers'],
    auth: 'service',
    operation: 'manage_badges',
    scopeBadges: () => 'all',
    params: ProgramParams,
    response: { description: 'Deleted', schema: ProgramDeleted },
    errors: { 404: 'No such program (`program_not_found`)', 409: 'Badges belong to it (`program_in_use`, their names in `details`)' },
    handler: async (ctx, { params }, { domain }) => {
      const service = ctx.state.service.name;
      await domain.run(service, (tx) => deleteProgram(tx, service, params.program));
      return { id: params.program, deleted: true as const };
    },
  }),
];

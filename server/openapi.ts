/** Placeholder until the document is written. */
export const openApiDocument = () => ({ openapi: '3.1.0', info: { title: 'user-badges', version: '1' }, paths: {} });

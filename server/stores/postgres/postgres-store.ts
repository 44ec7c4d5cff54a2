export class PostgresStore { static async open(_: {url: string}): Promise<never> { throw new Error('todo'); } }

import { redactUrl } from '../config/settings.js';

const DEV = 'For development, "user-badges postgres start" runs one in the data folder and prints its URL.';

/**
 * A failure to reach PostgreSQL, told as what to do: "connect ECONNREFUSED 127.0.0.1:5432" alone
 * leaves a newcomer guessing whether the URL, the server or the password is wrong.
 */
export function explainDatabaseError(error: unknown, url: string): Error {
  const { code, message } = error as { code?: string; message?: string };
  const where = redactUrl(url);
  let target: URL | undefined;
  try {
    target = new URL(url);
  } catch {
    // told below by the code
  }
  const host = target ? `${target.hostname}:${target.port || 5432}` : where;
  const database = target?.pathname.slice(1) || target?.username || 'postgres';
  const said =
    code === 'ECONNREFUSED' ? `Nothing answers at ${host} (${where}): start PostgreSQL there, or give the URL of one that runs (--database or DATABASE_URL). ${DEV}`
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `The host of ${where} is not known (${code}): check the URL. ${DEV}`
    : code === 'ETIMEDOUT' ? `PostgreSQL at ${host} does not answer (timed out): check the host, the port and the firewall.`
    : code === '28P01' || code === '28000' ? `PostgreSQL at ${host} refused the user or password of ${where}: check them in the URL.`
    : code === '3D000' ? `PostgreSQL at ${host} has no database "${database}": create it (createdb ${database}), or name another in the URL.`
    : undefined;
  return said ? Object.assign(new Error(said), { cause: error }) : error instanceof Error ? error : new Error(String(message ?? error));
}

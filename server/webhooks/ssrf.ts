import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { invalid } from '../core/errors.js';

/**
 * Webhook URLs are chosen by whoever holds a service key, and the server POSTs to them: without a
 * guard, a key holder could make the server reach its own network (cloud metadata at 169.254.169.254,
 * an admin port on localhost). Endpoints may not be on loopback, private, link-local or other
 * non-public addresses unless the operator allows it. Checked when an endpoint is registered and
 * again at each connection, on the address actually connected to (a name may resolve differently
 * later: DNS rebinding).
 */
const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) blocked.addSubnet(net, bits, 'ipv6');

/** Whether an IP address is one a webhook may not reach (IPv4-mapped IPv6 read as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Refuses a URL a webhook may not have: not http(s), credentials in it, or a host that is (or
 * resolves to) a blocked address. A name that does not resolve now is accepted: the check at
 * connection time still applies when it does.
 */
export async function checkEndpointUrl(text: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('invalid_url', 'url must be an http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('invalid_url', 'url must be an http or https URL');
  if (url.username || url.password) throw invalid('invalid_url', 'url may not carry credentials; the signature proves the sender');
  if (allowPrivate) return url.href;
  const host = hostOf(url);
  const addresses = isIP(host) ? [host] : await new Promise<string[]>((resolve) => dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found.map((a) => a.address))));
  const bad = addresses.find(isPrivateAddress);
  // The address itself is not named: it would tell a key holder what the server's own names resolve to.
  if (bad !== undefined) throw invalid('private_address', 'url points to a loopback, private or link-local address, which webhooks may not reach (an operator who means it sets WEBHOOK_ALLOW_PRIVATE=on)');
  return url.href;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses blocked addresses: the guard at connection time. */
export function guardedLookup(hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true } as { all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(Object.assign(new Error(`${hostname} resolves to a non-public address, which webhooks may not reach (WEBHOOK_ALLOW_PRIVATE=on allows it)`), { code: 'EPRIVATE' }), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/** A literal IP in the URL is connected to without a lookup: checked here instead. */
export const literalBlocked = (url: URL): boolean => isIP(hostOf(url)) !== 0 && isPrivateAddress(hostOf(url));

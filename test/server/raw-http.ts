import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  socket: Socket;
  /** Resolves once the socket is connected. */
  connected: Promise<void>;
  /** Resolves when the server sends `100 Continue` (the request has begun). */
  continued: Promise<void>;
  /** Resolves with the final response; null if the connection closed without one. */
  response: Promise<RawResponse | null>;
  closed: Promise<void>;
  send: (data: string | Buffer) => Promise<void>;
}

/**
 * An HTTP/1.1 request written by hand, so a test can stop anywhere in it: after the headers, in the
 * middle of the body. `head` is sent on connect. `from` is the client's address: any of 127.0.0.0/8
 * reaches the server, so two addresses make two clients the server can tell apart.
 */
export function rawRequest(port: number, head: string, { from }: { from?: string } = {}): RawRequest {
  const socket = connect({ port, host: '127.0.0.1', ...(from ? { localAddress: from } : {}) });
  let text = '';
  let onContinue!: () => void;
  let onResponse!: (response: RawResponse | null) => void;
  const continued = new Promise<void>((resolve) => (onContinue = resolve));
  const response = new Promise<RawResponse | null>((resolve) => (onResponse = resolve));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.on('error', () => {});
  socket.setEncoding('latin1');
  socket.once('connect', () => socket.write(head));
  socket.on('data', (chunk: string) => {
    text += chunk;
    if (text.startsWith('HTTP/1.1 100 ')) {
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      text = text.slice(end + 4);
      onContinue();
    }
    const parsed = parse(text);
    if (parsed) onResponse(parsed);
  });
  socket.once('close', () => onResponse(null));
  const send = (data: string | Buffer) => new Promise<void>((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
  return { socket, connected, continued, response, closed, send };
}

function parse(text: string): RawResponse | null {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = text.slice(end + 4);
  if (Buffer.byteLength(body, 'latin1') < length) return null;
  return { status: Number(statusLine!.split(' ')[1]), headers, body: body.slice(0, length) };
}

/** The head of a PUT with a JSON body of `length` bytes. */
export const putHead = (path: string, length: number, extra = '') =>
  `PUT ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

import type { Session } from './session.ts';

/** A refusal of the API: its status, `error.code` and message, as every route answers them. */
export class ApiError extends Error {
  constructor(
    message: string,
    public status: number,
    public code: string,
  ) {
    super(message);
  }
}

type Auth = 'service' | 'operator' | 'none';

export interface RequestOptions {
  body?: unknown;
  /** Whose credentials: the service's key (default), the operator token, or none. */
  auth?: Auth;
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
}

/**
 * The API as the console calls it: same origin, credentials in `Authorization` only (never a
 * cookie: `credentials: 'omit'`, nor the URL), JSON in and out, a refusal thrown as an
 * {@link ApiError} with the server's own message.
 */
export class Api {
  constructor(private session: () => Session | null) {}

  /** `/v1/<service>` of the open service. */
  get base(): string {
    return `/v1/${encodeURIComponent(this.service)}`;
  }

  get service(): string {
    const s = this.session();
    return s?.service ?? '';
  }

  headers(auth: Auth = 'service'): Record<string, string> {
    const s = this.session();
    if (!s || auth === 'none') return {};
    if (auth === 'operator') return s.kind === 'operator' ? { authorization: `Bearer ${s.token}` } : {};
    return s.key ? { authorization: s.key } : {};
  }

  url(path: string, query: RequestOptions['query'] = {}): string {
    const url = new URL(path.startsWith('/') ? path : `${this.base}/${path}`, location.origin);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    return url.pathname + url.search;
  }

  /** The raw response of a request (an export's stream); refusals thrown. */
  async fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers(options.auth) };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        credentials: 'omit',
        cache: 'no-store',
        signal: options.signal,
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError('The server cannot be reached. Check your connection and try again.', 0, 'network_error');
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new ApiError(body?.error?.message ?? `The server answered ${response.status}`, response.status, body?.error?.code ?? 'http_error');
    }
    return response;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.fetch(method, path, options);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  get<T>(path: string, query?: RequestOptions['query'], auth?: Auth): Promise<T> {
    return this.request<T>('GET', path, { query, auth });
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, { body });
  }
  post<T>(path: string, body?: unknown, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('POST', path, { body, query });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, { body });
  }
  delete<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, { body });
  }

  /** The operator's API (`/admin/...`). */
  admin<T>(method: string, path: string, body?: unknown, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>(method, `/admin/${path}`, { body, query, auth: 'operator' });
  }
}

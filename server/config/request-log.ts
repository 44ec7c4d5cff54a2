// What the access log receives: the operator's sink is a setting (config/app.ts), the edge writes to it.
/** One answered (or abandoned) request, as the access log records it. */
export interface RequestLogEntry {
  method: string;
  /** The path only: a query may carry a signature, or a key sent there by mistake. */
  path: string;
  status: number;
  /** The error code of a refusal, as in its body. */
  code?: string;
  ms: number;
  /** The connection closed before the answer was sent in full. */
  aborted?: true;
}

export type RequestLog = (entry: RequestLogEntry) => void;

/** How far an export has come: bytes and records (lines) received. */
export interface TransferProgress {
  bytes: number;
  records: number;
  /** Users received, of the service being written (an export writes each service's users after its badges). */
  users: number;
}

/**
 * Reads an export's JSON Lines answer as it streams, telling the progress after each chunk, and
 * gives the whole as a Blob to save. Nothing is parsed beyond counting lines and user records.
 */
export async function readExport(response: Response, onProgress: (p: TransferProgress) => void): Promise<Blob> {
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  const decoder = new TextDecoder();
  const progress: TransferProgress = { bytes: 0, records: 0, users: 0 };
  let partial = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    progress.bytes += value.byteLength;
    const lines = (partial + decoder.decode(value, { stream: true })).split('\n');
    partial = lines.pop()!;
    progress.records += lines.length;
    for (const line of lines) if (line.startsWith('{"user":')) progress.users++;
    onProgress({ ...progress });
  }
  return new Blob(chunks as BlobPart[], { type: 'application/x-ndjson' });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

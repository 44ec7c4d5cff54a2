/**
 * Page-wide defaults. The entry point sets `server` to the origin the script was loaded from, so a
 * cross-origin embed works with no configuration.
 */
export const config = { server: '' };

/** Makes `url` the display server of elements and legacy containers that name none. */
export function setDefaultServer(url: string): void {
  config.server = url;
}

/** The API base URL for an element or container: its own `server`, else the page default. */
export function serverOf(server?: string | null): string {
  return (server || config.server || location.origin).replace(/\/+$/, '');
}

/** The origin of a script URL, or '' when it has none (`file:`, `blob:` ...). */
export function originOf(url?: string): string {
  const o = url ? new URL(url).origin : '';
  return o == 'null' ? '' : o;
}

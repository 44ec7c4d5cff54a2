/**
 * Pages live in the URL's fragment (`/admin#/badges/edit/gold`): the server serves one page, the
 * browser's back button and bookmarks work, and no request carries the page's state (nor ever a key).
 */
export interface Route {
  page: string;
  args: string[];
}

export function currentRoute(): Route {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decode);
  return { page: parts[0] ?? '', args: parts.slice(1) };
}

const decode = (part: string) => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

export const href = (page: string, ...args: string[]) => '#/' + [page, ...args].map(encodeURIComponent).join('/');

export function go(page: string, ...args: string[]): void {
  location.hash = href(page, ...args);
}

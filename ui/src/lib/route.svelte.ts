// Two pages, addressed by the URL hash (#/ and #/batch/<ticketType>) so the browser's
// back button and a reload keep staff where they were.
export type Route = { page: 'batches' } | { page: 'batch'; ticketType: string };

export function parseRoute(hash: string): Route {
  const m = /^#\/batch\/(.+)$/.exec(hash);
  if (m?.[1] !== undefined) {
    try {
      return { page: 'batch', ticketType: decodeURIComponent(m[1]) };
    } catch {
      return { page: 'batches' };
    }
  }
  return { page: 'batches' };
}

export function hrefOf(route: Route): string {
  return route.page === 'batch' ? `#/batch/${encodeURIComponent(route.ticketType)}` : '#/';
}

export const router = $state<{ route: Route }>({
  route: typeof location === 'undefined' ? { page: 'batches' } : parseRoute(location.hash),
});

export function navigate(route: Route): void {
  const href = hrefOf(route);
  if (location.hash !== href) location.hash = href;
  router.route = route;
}

/** Follows back/forward and typed URLs; returns the listener's remover. */
export function followHash(): () => void {
  const onChange = (): void => {
    router.route = parseRoute(location.hash);
  };
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

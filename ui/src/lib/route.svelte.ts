// Pages addressed by the URL hash, so the browser's back button and a reload keep staff
// where they were:
//   #/  #/batch/<ticketType>  #/templates  #/template/new  #/template/<id>
//   #/template/<id>/edit  #/redeem  #/settings  #/bonuses  #/bonus/<id>  #/vouchers
//   #/voucher/<id>  #/customers  #/customers/<id>  #/sync  #/audit  #/staff
//   #/dashboard  #/report?<filters> (reportLink.ts)  #/close?day=<day>&terminal=<name>
//   #/reconcile
// (a customer by register id: a cashier sees phones masked, so the phone cannot name it)
import { closeLinkQuery, parseCloseLink, parseReportLink, reportLinkQuery, type ReportLink } from './reportLink';

export type Route =
  | { page: 'batches' }
  | { page: 'batch'; ticketType: string }
  | { page: 'templates' }
  | { page: 'templateNew' }
  | { page: 'template'; id: number }
  | { page: 'templateEdit'; id: number }
  | { page: 'redeem' }
  | { page: 'settings' }
  | { page: 'bonuses' }
  | { page: 'bonus'; id: number }
  | { page: 'vouchers' }
  | { page: 'voucher'; id: number }
  | { page: 'customers' }
  | { page: 'customer'; id: number }
  | { page: 'sync' }
  | { page: 'audit' }
  | { page: 'staff' }
  | { page: 'dashboard' }
  | { page: 'report'; link: ReportLink }
  | { page: 'close'; day: string | null; terminal: string | null }
  | { page: 'reconcile' };

/** The top-bar section a route belongs to. */
export type Section =
  | 'batches'
  | 'templates'
  | 'redeem'
  | 'bonuses'
  | 'vouchers'
  | 'customers'
  | 'sync'
  | 'audit'
  | 'staff'
  | 'settings'
  | 'reports';

export function sectionOf(route: Route): Section {
  switch (route.page) {
    case 'batches':
    case 'batch':
      return 'batches';
    case 'templates':
    case 'templateNew':
    case 'template':
    case 'templateEdit':
      return 'templates';
    case 'redeem':
      return 'redeem';
    case 'settings':
      return 'settings';
    case 'bonuses':
    case 'bonus':
      return 'bonuses';
    case 'vouchers':
    case 'voucher':
      return 'vouchers';
    case 'customers':
    case 'customer':
      return 'customers';
    case 'sync':
      return 'sync';
    case 'audit':
      return 'audit';
    case 'staff':
      return 'staff';
    case 'dashboard':
    case 'report':
    case 'close':
    case 'reconcile':
      return 'reports';
  }
}

const ID = /^[1-9]\d{0,15}$/;

export function parseRoute(hash: string): Route {
  const m = /^#\/batch\/(.+)$/.exec(hash);
  if (m?.[1] !== undefined) {
    try {
      return { page: 'batch', ticketType: decodeURIComponent(m[1]) };
    } catch {
      return { page: 'batches' };
    }
  }
  if (hash === '#/templates') return { page: 'templates' };
  if (hash === '#/template/new') return { page: 'templateNew' };
  const tm = /^#\/template\/([^/]+)(\/edit)?$/.exec(hash);
  if (tm?.[1] !== undefined && ID.test(tm[1])) {
    const id = Number(tm[1]);
    return tm[2] === undefined ? { page: 'template', id } : { page: 'templateEdit', id };
  }
  if (hash === '#/redeem') return { page: 'redeem' };
  if (hash === '#/settings') return { page: 'settings' };
  if (hash === '#/bonuses') return { page: 'bonuses' };
  if (hash === '#/vouchers') return { page: 'vouchers' };
  if (hash === '#/customers') return { page: 'customers' };
  const cm = /^#\/customers\/([^/]+)$/.exec(hash);
  if (cm?.[1] !== undefined && ID.test(cm[1])) return { page: 'customer', id: Number(cm[1]) };
  if (hash === '#/sync') return { page: 'sync' };
  if (hash === '#/audit') return { page: 'audit' };
  if (hash === '#/staff') return { page: 'staff' };
  if (hash === '#/dashboard') return { page: 'dashboard' };
  if (hash === '#/reconcile') return { page: 'reconcile' };
  const rm = /^#\/(report|close)(?:\?(.*))?$/.exec(hash);
  if (rm?.[1] === 'report') return { page: 'report', link: parseReportLink(rm[2] ?? '') };
  if (rm?.[1] === 'close') return { page: 'close', ...parseCloseLink(rm[2] ?? '') };
  const wm = /^#\/(bonus|voucher)\/([^/]+)$/.exec(hash);
  if (wm?.[2] !== undefined && ID.test(wm[2])) {
    const id = Number(wm[2]);
    return wm[1] === 'bonus' ? { page: 'bonus', id } : { page: 'voucher', id };
  }
  return { page: 'batches' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'batch':
      return `#/batch/${encodeURIComponent(route.ticketType)}`;
    case 'templates':
      return '#/templates';
    case 'templateNew':
      return '#/template/new';
    case 'template':
      return `#/template/${route.id}`;
    case 'templateEdit':
      return `#/template/${route.id}/edit`;
    case 'redeem':
      return '#/redeem';
    case 'settings':
      return '#/settings';
    case 'bonuses':
      return '#/bonuses';
    case 'bonus':
      return `#/bonus/${route.id}`;
    case 'vouchers':
      return '#/vouchers';
    case 'voucher':
      return `#/voucher/${route.id}`;
    case 'customers':
      return '#/customers';
    case 'customer':
      return `#/customers/${route.id}`;
    case 'sync':
      return '#/sync';
    case 'audit':
      return '#/audit';
    case 'staff':
      return '#/staff';
    case 'dashboard':
      return '#/dashboard';
    case 'report':
      return withQuery('#/report', reportLinkQuery(route.link));
    case 'close':
      return withQuery('#/close', closeLinkQuery(route));
    case 'reconcile':
      return '#/reconcile';
    case 'batches':
      return '#/';
  }
}

function withQuery(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}

export const router = $state<{ route: Route }>({
  route: typeof location === 'undefined' ? { page: 'batches' } : parseRoute(location.hash),
});

/**
 * Asked at each navigation once the new route is in the URL; true when it loads the page
 * afresh instead (the window's renewal, lib/windowRenew.ts, set by the App), and the
 * page in place is then left as it is.
 */
let renewsInstead: () => boolean = () => false;

export function setNavigationRenewal(hook: () => boolean): void {
  renewsInstead = hook;
}

export function navigate(route: Route): void {
  const href = hrefOf(route);
  if (location.hash !== href) {
    location.hash = href;
    if (renewsInstead()) return;
  }
  router.route = route;
}

/** Follows back/forward, links and typed URLs; returns the listener's remover. */
export function followHash(): () => void {
  const onChange = (): void => {
    if (renewsInstead()) return;
    router.route = parseRoute(location.hash);
  };
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

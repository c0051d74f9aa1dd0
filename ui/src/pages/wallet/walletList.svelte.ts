// What the bonus and voucher lists share: a PagedList filtered by a customer's phone,
// where a bad phone is said beside the filter (the list empties) rather than in the error
// banner; and "export what the filter shows to CSV or Excel" with its notice. Filters of their
// own (status, name, ...) stay in each page and reach the list through `fetch`.
import type { ExportFormat } from '$lib/backend/bindings/ExportFormat';
import type { ExportOptions } from '$lib/backend/bindings/ExportOptions';
import type { ExportReport } from '$lib/backend/bindings/ExportReport';
import type { Page } from '$lib/backend/bindings/Page';
import { debounce, SEARCH_DEBOUNCE_MS } from '$lib/debounce';
import { exportToChosenFile } from '$lib/exportFile';
import { reportError } from '$lib/errors.svelte';
import { locale } from '$lib/i18n/locale.svelte';
import { PagedList } from '$lib/pagedList.svelte';
import { loadShop } from '$lib/shop.svelte';
import { customerFilterError } from '$lib/wallet';

export const WALLET_PER_PAGE = [20, 50, 100] as const;

export class WalletList<T> {
  /** The phone typed in the customer filter. */
  customer = $state('');
  customerError = $state<string | null>(null);
  /** The last export of this filter; any reload forgets it. */
  exported = $state<ExportReport | null>(null);
  readonly list: PagedList<T>;
  /** Reload after typing stops; cancel it when the page goes away. */
  readonly reloadTyped = debounce(() => this.reload(), SEARCH_DEBOUNCE_MS);

  /** `fetch` gets the customer filter (null: everyone's) and the page asked for. */
  constructor(fetch: (customer: string | null, page: number, perPage: number) => Promise<Page<T>>) {
    this.list = new PagedList<T>(
      async (page, perPage) => {
        await loadShop();
        const res = await fetch(this.customerFilter, page, perPage);
        this.customerError = null;
        return res;
      },
      (e) => {
        this.customerError = customerFilterError(e, locale.lang);
        if (this.customerError === null) reportError(e);
        else this.list.result = null;
      },
      WALLET_PER_PAGE[0],
    );
  }

  get customerFilter(): string | null {
    const c = this.customer.trim();
    return c === '' ? null : c;
  }

  /** Back to page 1 after a filter changed. */
  reload(): void {
    this.exported = null;
    this.list.reload();
  }

  /**
   * Exports what the filter shows to a file staff choose (`defaultName` proposed);
   * `run` writes it to the path chosen.
   */
  async exportTo(
    format: ExportFormat,
    defaultName: string,
    title: string,
    run: (path: string, options: ExportOptions) => Promise<ExportReport>,
  ): Promise<void> {
    this.exported = null;
    this.exported = await exportToChosenFile(defaultName, format, title, run);
  }
}

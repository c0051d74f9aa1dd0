// One page of a list at a time, shared by the list pages: the page number and size, the
// last answer and a loading flag.
//
// What must stay true: an answer to a request that a newer one replaced is dropped (staff
// type faster than the backend answers), and a page that no longer exists (rows went
// away) steps back to the last page that does.
import type { Page } from './backend/bindings/Page';

export class PagedList<T> {
  page = $state(1);
  perPage = $state(10);
  result = $state<Page<T> | null>(null);
  loading = $state(false);
  #seq = 0;
  readonly #fetch: (page: number, perPage: number) => Promise<Page<T>>;
  readonly #onError: (e: unknown) => void;

  /**
   * `fetch` asks for one page; `onError` gets a failure of the latest request only.
   */
  constructor(
    fetch: (page: number, perPage: number) => Promise<Page<T>>,
    onError: (e: unknown) => void,
    perPage: number,
  ) {
    this.#fetch = fetch;
    this.#onError = onError;
    this.perPage = perPage;
  }

  async load(): Promise<void> {
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const res = await this.#fetch(this.page, this.perPage);
      if (seq !== this.#seq) return;
      if (res.items.length === 0 && this.page > 1 && res.totalPages > 0) {
        this.page = res.totalPages;
        return this.load();
      }
      this.result = res;
    } catch (e) {
      if (seq === this.#seq) this.#onError(e);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** Back to page 1, e.g. after a filter changed. */
  reload(): void {
    this.page = 1;
    void this.load();
  }

  goTo(page: number): void {
    this.page = page;
    void this.load();
  }

  setPerPage(perPage: number): void {
    this.perPage = perPage;
    this.reload();
  }
}

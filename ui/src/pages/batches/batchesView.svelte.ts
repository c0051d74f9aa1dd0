// The batches page's filters, page and page size, kept outside the component so going
// into a batch and back returns staff to the same search, filter and page.
export const BATCHES_PER_PAGE = [20, 50, 100] as const;

export const batchesView = $state({ name: '', ticketType: '', page: 1, perPage: 20 });

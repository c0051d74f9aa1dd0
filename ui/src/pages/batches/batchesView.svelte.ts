// The batches page's filters and its list (page, page size, last answer), kept outside
// the component so going into a batch and back returns staff to the same search, filter
// and page.
import { backend } from '$lib/backend';
import type { Batch } from '$lib/backend/bindings/Batch';
import { reportError } from '$lib/errors.svelte';
import { PagedList } from '$lib/pagedList.svelte';

export const BATCHES_PER_PAGE = [20, 50, 100] as const;

export const batchesView = $state({ name: '', ticketType: '' });

export const batchesList = new PagedList<Batch>(
  (page, perPage) =>
    backend.batchList({
      name: batchesView.name.trim() === '' ? null : batchesView.name.trim(),
      ticketType: batchesView.ticketType.trim() === '' ? null : batchesView.ticketType.trim(),
      page: { page, perPage },
    }),
  reportError,
  BATCHES_PER_PAGE[0],
);

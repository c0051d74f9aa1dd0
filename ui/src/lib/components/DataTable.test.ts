// DataTable's rows, empty and loading lines, rendered on the server from a PagedList's
// state (no DOM needed). The row attributes are what the end-to-end tests select by.
import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';

import { PagedList } from '../pagedList.svelte';
import DataTable from './DataTable.svelte';

interface Row {
  id: number;
  name: string;
}

function list(items: Row[] | null, loading = false): PagedList<Row> {
  const l = new PagedList<Row>(() => Promise.reject(new Error('not asked')), () => undefined, 20);
  l.result = items === null ? null : { items, page: 1, perPage: 20, total: items.length, totalPages: 1 };
  l.loading = loading;
  return l;
}

function html(l: PagedList<Row>): string {
  return render(DataTable<Row>, {
    props: {
      list: l,
      key: (r: Row) => r.id,
      head: createRawSnippet(() => ({ render: () => '<th>Name</th>' })),
      cells: createRawSnippet((r: () => Row) => ({ render: () => `<td>${r().name}</td>` })),
      rowAttrs: (r: Row) => ({ 'data-testid': 'thing-row', 'data-thing-id': r.id }),
      empty: 'Nothing yet',
      emptyTestid: 'thing-empty',
      perPageOptions: [20, 50],
    },
  }).body;
}

describe('DataTable', () => {
  it('renders each item as a row with its own attributes and its index', () => {
    const out = html(list([{ id: 7, name: 'seven' }, { id: 9, name: 'nine' }]));
    expect(out).toMatch(/<tr[^>]*data-testid="thing-row"[^>]*data-thing-id="7"[^>]*data-row="0"/);
    expect(out).toMatch(/<tr[^>]*data-thing-id="9"[^>]*data-row="1"/);
    expect(out).toContain('<td>seven</td>');
    expect(out).not.toContain('Nothing yet');
    expect(out).toContain('data-testid="page-info"');
  });

  it('says an empty page is empty, and loading before the first answer', () => {
    expect(html(list([]))).toMatch(/<p class="empty[^"]*" data-testid="thing-empty">Nothing yet<\/p>/);
    const first = html(list(null, true));
    expect(first).not.toContain('Nothing yet');
    expect(first).toContain('aria-busy="true"');
  });
});

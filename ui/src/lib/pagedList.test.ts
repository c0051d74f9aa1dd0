import { describe, expect, it } from 'vitest';

import type { Page } from './backend/bindings/Page';
import { PagedList } from './pagedList.svelte';

function pageOf(items: number[], page: number, perPage: number, total: number): Page<number> {
  return { items, page, perPage, total, totalPages: Math.ceil(total / perPage) };
}

describe('PagedList', () => {
  it('drops the answer of a request a newer one replaced', async () => {
    const answers: ((p: Page<number>) => void)[] = [];
    const list = new PagedList<number>(
      () => new Promise((resolve) => answers.push(resolve)),
      () => {},
      10,
    );
    const first = list.load();
    const second = list.load();
    answers[1]?.(pageOf([2], 1, 10, 1));
    await second;
    answers[0]?.(pageOf([1], 1, 10, 1));
    await first;
    expect(list.result?.items).toEqual([2]);
    expect(list.loading).toBe(false);
  });

  it('steps back to the last page when the one asked for is gone', async () => {
    const asked: number[] = [];
    const list = new PagedList<number>(
      (page, perPage) => {
        asked.push(page);
        return Promise.resolve(page > 2 ? pageOf([], page, perPage, 15) : pageOf([page], page, perPage, 15));
      },
      () => {},
      10,
    );
    list.page = 5;
    await list.load();
    expect(asked).toEqual([5, 2]);
    expect(list.page).toBe(2);
    expect(list.result?.items).toEqual([2]);
  });

  it('reports only the latest failure', async () => {
    const errors: unknown[] = [];
    const list = new PagedList<number>(
      () => Promise.reject(new Error('boom')),
      (e) => errors.push(e),
      10,
    );
    await list.load();
    expect(errors).toHaveLength(1);
    expect(list.loading).toBe(false);
  });
});

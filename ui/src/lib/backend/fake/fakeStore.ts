// The fake backend's "database": batches with their codes in position order, and the
// set of every code, which is unique across the whole database as in the core.
import type { Batch } from '../bindings/Batch';
import type { CodeRow } from '../bindings/CodeRow';
import { apiError } from '../apiError';

export interface BatchEntry {
  batch: Batch;
  codes: CodeRow[];
  /** Insertion order, the tie-break of the list order (updated_at DESC, id DESC). */
  id: number;
}

const TYPE_RULE = /^[A-Za-z0-9_-]{1,64}$/;

export class FakeStore {
  readonly batches = new Map<string, BatchEntry>();
  readonly allCodes = new Set<string>();
  /** Batches with an import or generation running (the core's lock files). */
  readonly busy = new Set<string>();
  private nextId = 1;
  private nextRun = 1;

  /** `now` is replaceable so the demo seed can date its batches. */
  constructor(public now: () => Date) {}

  newRunId(): number {
    return this.nextRun++;
  }

  stamp(): string {
    return this.now().toISOString();
  }

  /** Validates like TicketType::parse / BatchName::parse and the store's unique checks. */
  checkNewBatch(rawType: string, rawName: string): { ticketType: string; name: string } {
    const ticketType = rawType.trim();
    const name = rawName.trim();
    if (!TYPE_RULE.test(ticketType)) {
      throw apiError(
        'invalid_batch_type',
        ticketType === ''
          ? 'the batch type is empty; enter an id such as AVD1KYBW8001'
          : "the batch type may have at most 64 characters of A-Z, a-z, 0-9, '-' and '_'",
      );
    }
    if (name === '') {
      throw apiError('invalid_batch_name', 'the batch name is empty; give the batch a name staff will recognise');
    }
    if ([...name].length > 100) {
      throw apiError('invalid_batch_name', 'the batch name is longer than 100 characters; shorten it');
    }
    if (this.batches.has(ticketType)) {
      throw apiError('batch_type_taken', `a batch with the ticket type ${ticketType} already exists; choose another type`);
    }
    for (const e of this.batches.values()) {
      if (e.batch.name === name) {
        throw apiError('batch_name_taken', `a batch named "${name}" already exists; choose another name`);
      }
    }
    return { ticketType, name };
  }

  createBatch(rawType: string, rawName: string): Batch {
    const { ticketType, name } = this.checkNewBatch(rawType, rawName);
    const at = this.stamp();
    const batch: Batch = { ticketType, name, totalCodes: 0, usedCodes: 0, templateId: null, createdAt: at, updatedAt: at };
    this.batches.set(ticketType, { batch, codes: [], id: this.nextId++ });
    return { ...batch };
  }

  removeBatch(ticketType: string): void {
    this.batches.delete(ticketType);
  }

  entry(ticketType: string): BatchEntry {
    const e = this.batches.get(ticketType);
    if (e === undefined) {
      throw apiError('batch_not_found', `no batch has the ticket type ${ticketType}; check the type or create the batch first`);
    }
    return e;
  }

  listBatches(ticketType: string | null, name: string | null): Batch[] {
    const needle = name?.toLowerCase() ?? null;
    return [...this.batches.values()]
      .filter(
        (e) =>
          (ticketType === null || e.batch.ticketType === ticketType) &&
          (needle === null || e.batch.name.toLowerCase().includes(needle)),
      )
      .sort((a, b) => b.batch.updatedAt.localeCompare(a.batch.updatedAt) || b.id - a.id)
      .map((e) => ({ ...e.batch }));
  }

  /** Appends codes that are known to be new, and keeps the counts right. */
  addCodes(entry: BatchEntry, codes: string[], createdAt: string): void {
    for (const code of codes) {
      this.allCodes.add(code);
      entry.codes.push({ position: entry.codes.length + 1, code, status: 'issued', createdAt, updatedAt: null });
    }
    this.recount(entry);
  }

  recount(entry: BatchEntry): void {
    entry.batch.totalCodes = entry.codes.length;
    entry.batch.usedCodes = entry.codes.filter((c) => c.status === 'redeemed').length;
    entry.batch.updatedAt = this.stamp();
  }

  /** Refuses a second import or generation into the same batch, like the core's lock. */
  claim(ticketType: string): void {
    if (this.busy.has(ticketType)) {
      throw apiError('import_busy', `another import or generation into batch ${ticketType} is still running; wait for it to finish or cancel it, then try again`);
    }
    this.busy.add(ticketType);
  }

  release(ticketType: string): void {
    this.busy.delete(ticketType);
  }
}

// Code generation for the fake backend, with the core's rules (crates/core/src/generate.rs):
// prefix + random characters from a look-alike-free charset to a total length (default
// 12), refused up front when more than half of the possible codes are asked for.
import type { OnProgress } from '../backend';
import type { GenerateProgress } from '../bindings/GenerateProgress';
import type { GenerateReport } from '../bindings/GenerateReport';
import type { GenerateRequest } from '../bindings/GenerateRequest';
import { apiError } from '../apiError';
import { checkCode, MAX_LEN, MIN_LEN } from './codeRule';
import type { FakeStore } from './fakeStore';

export const CHARSET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const DEFAULT_LENGTH = 12;
const MAX_DRAWS_PER_CODE = 20;

export interface Plan {
  count: number;
  length: number;
  prefix: string;
}

export function plan(req: GenerateRequest): Plan {
  const length = req.length ?? DEFAULT_LENGTH;
  const prefix = (req.prefix ?? '').trim();
  if (!Number.isInteger(req.count) || req.count < 1) {
    throw apiError('invalid_generate', 'ask for at least 1 code');
  }
  if (length < MIN_LEN || length > MAX_LEN || prefix.length >= length) {
    throw apiError('invalid_generate', 'the length must be between 4 and 64 and longer than the prefix');
  }
  if (prefix !== '' && !checkCode(prefix.padEnd(MIN_LEN, 'A')).ok) {
    throw apiError(
      'invalid_generate',
      "the prefix may only have A-Z, a-z, 0-9, '-' and '_', and must start with a letter or digit",
    );
  }
  const space = BigInt(CHARSET.length) ** BigInt(length - prefix.length);
  if (BigInt(req.count) > space / 2n) {
    throw apiError(
      'generate_space_too_small',
      `${req.count} codes do not fit: length ${length} with prefix "${prefix}" allows ${space} different codes and at most half of them can be drawn at random; use a longer length or a shorter prefix`,
    );
  }
  return { count: req.count, length, prefix };
}

function draw(p: Plan): string {
  let s = p.prefix;
  while (s.length < p.length) s += CHARSET[Math.floor(Math.random() * CHARSET.length)] ?? 'A';
  return s;
}

export interface GenerateJob {
  store: FakeStore;
  request: GenerateRequest;
  chunk: number;
  pause: () => Promise<void>;
  isCancelled: () => boolean;
  onProgress: OnProgress<GenerateProgress>;
}

export async function runGenerate(job: GenerateJob): Promise<GenerateReport> {
  const started = Date.now();
  const p = plan(job.request);
  const { store } = job;
  const entry = store.entry(job.request.ticketType);
  store.claim(entry.batch.ticketType);
  try {
    const runId = store.newRunId();
    const startedAt = store.stamp();
    const fresh = new Set<string>();
    let draws = 0;
    while (fresh.size < p.count) {
      if (job.isCancelled()) {
        // Like the core: a cancelled generation is undone as a whole.
        return { runId, state: 'cancelled', batch: { ...entry.batch }, generated: 0, elapsedMs: Date.now() - started };
      }
      const want = Math.min(job.chunk, p.count - fresh.size);
      for (let added = 0; added < want; ) {
        draws += 1;
        if (draws > p.count * MAX_DRAWS_PER_CODE) {
          throw apiError('generate_space_too_small', 'could not find enough free codes after many tries; use a longer length');
        }
        const code = draw(p);
        if (!fresh.has(code) && !store.allCodes.has(code)) {
          fresh.add(code);
          added += 1;
        }
      }
      job.onProgress({ runId, generated: fresh.size, total: p.count });
      await job.pause();
    }
    store.addCodes(entry, [...fresh], startedAt);
    return { runId, state: 'done', batch: { ...entry.batch }, generated: p.count, elapsedMs: Date.now() - started };
  } finally {
    store.release(entry.batch.ticketType);
  }
}

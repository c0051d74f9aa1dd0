import { describe, expect, it } from 'vitest';

import { FIRST_TABLE_MARK, markFirstTable } from './firstTable';

describe('markFirstTable', () => {
  it('marks once, after the frame, however often it is called', () => {
    const frames: (() => void)[] = [];
    const frame = (cb: FrameRequestCallback): number => frames.push(() => cb(0));
    performance.clearMarks(FIRST_TABLE_MARK);
    markFirstTable(performance, frame);
    expect(performance.getEntriesByName(FIRST_TABLE_MARK)).toHaveLength(0);
    markFirstTable(performance, frame);
    for (const f of frames) f();
    markFirstTable(performance, frame);
    for (const f of frames) f();
    expect(performance.getEntriesByName(FIRST_TABLE_MARK)).toHaveLength(1);
  });
});

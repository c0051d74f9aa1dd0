import { describe, expect, it } from 'vitest';

import { parseCsv } from './csv';

const rows = (text: string): [number, string[]][] => parseCsv(text).map((r) => [r.line, r.cells]);

describe('parseCsv', () => {
  it('reads plain rows with their lines, LF or CRLF, with or without a final newline', () => {
    expect(rows('code,note\nA1234,x\r\nB1234,y')).toEqual([
      [1, ['code', 'note']],
      [2, ['A1234', 'x']],
      [3, ['B1234', 'y']],
    ]);
  });

  it('skips blank lines without renumbering the rest', () => {
    expect(rows('a\n\n  ,  \nb\n')).toEqual([
      [1, ['a']],
      [4, ['b']],
    ]);
  });

  it('handles quotes, escaped quotes, commas and line breaks inside quotes', () => {
    expect(rows('"x,y","say ""hi"""\n"multi\nline",z\nlast,1\n')).toEqual([
      [1, ['x,y', 'say "hi"']],
      [2, ['multi\nline', 'z']],
      [4, ['last', '1']],
    ]);
  });

  it('drops a UTF-8 BOM and keeps empty trailing cells', () => {
    expect(rows('\uFEFFcode,\nA1234,\n')).toEqual([
      [1, ['code', '']],
      [2, ['A1234', '']],
    ]);
  });
});

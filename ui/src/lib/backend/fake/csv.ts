// A small RFC 4180 reader for the fake backend: comma separated, quoted cells may hold
// commas, quotes ("") and line breaks, CRLF or LF. Like the core, it reports the
// physical line where each record starts and drops rows whose cells are all blank.

export interface CsvRecord {
  /** 1-based line of the file where the record starts. */
  line: number;
  cells: string[];
  /** Offset (in characters) just past the record, for progress. */
  end: number;
}

export function parseCsv(input: string): CsvRecord[] {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  let i = 0;

  const endRecord = (end: number): void => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== '')) records.push({ line: startLine, cells, end });
    cells = [];
    cell = '';
  };

  while (i < text.length) {
    const ch = text[i] ?? '';
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === '\n') line += 1;
        cell += ch;
      }
      i += 1;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      // CRLF ends the record like LF does; the LF is handled next round.
    } else if (ch === '\n') {
      endRecord(i + 1);
      line += 1;
      startLine = line;
    } else {
      cell += ch;
    }
    i += 1;
  }
  if (cell !== '' || cells.length > 0) endRecord(text.length);
  return records;
}

import { describe, expect, it } from 'vitest';

import { exportFileName, withFormat } from './exportName';

describe('exportFileName', () => {
  it('is the batch name and the day, with the format\'s extension', () => {
    expect(exportFileName('春节满减', '2026-12-07', 'xlsx')).toBe('春节满减_2026-12-07.xlsx');
    expect(exportFileName('春节满减', '2026-12-07', 'csv')).toBe('春节满减_2026-12-07.csv');
  });

  it('replaces characters no file system takes, and trims dots and spaces', () => {
    expect(exportFileName('A/B:C*D?"E<F>G|H\\I', '2026-12-07', 'csv')).toBe('A_B_C_D__E_F_G_H_I_2026-12-07.csv');
    expect(exportFileName(' ..满减\t券. ', '2026-12-07', 'xlsx')).toBe('满减_券_2026-12-07.xlsx');
  });

  it('falls back when nothing is left of the name', () => {
    expect(exportFileName('...', '2026-12-07', 'xlsx', 'T1')).toBe('T1_2026-12-07.xlsx');
    expect(exportFileName('', '', 'csv')).toBe('export.csv');
  });
});

describe('withFormat', () => {
  it('swaps or adds the extension', () => {
    expect(withFormat('audit', 'xlsx')).toBe('audit.xlsx');
    expect(withFormat('a.csv', 'xlsx')).toBe('a.xlsx');
    expect(withFormat('a.XLSX', 'csv')).toBe('a.csv');
  });
});

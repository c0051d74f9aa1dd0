// Printing one sheet of the page (the daily close on A4, a redemption slip on a 58 or
// 80 mm receipt roll) through the system print dialog (WebKitGTK's can save a PDF).
//
// The `@media print` rules in app.css print only the element marked `data-print-sheet`
// while `<html data-print>` is set. The paper size cannot be a fixed `@page` rule (the
// slip and the close sheet need different ones), so it is added for this print only and
// taken away after it. What must stay true: both are removed after the dialog closes,
// so the next print (or a Ctrl+P) is not stuck with this paper.

export type Paper = 'a4' | '58mm' | '80mm';

const PAGE: Record<Paper, string> = {
  a4: 'size: A4; margin: 12mm;',
  '58mm': 'size: 58mm auto; margin: 2mm;',
  '80mm': 'size: 80mm auto; margin: 3mm;',
};

/** The `@page` rule for `paper` (exported for the tests). */
export function pageRule(paper: Paper): string {
  return `@page { ${PAGE[paper]} }`;
}

/** Prints the page's `data-print-sheet` element on `paper`. */
export function printSheet(paper: Paper, win: Window = window): void {
  const doc = win.document;
  const style = doc.createElement('style');
  style.textContent = pageRule(paper);
  doc.head.append(style);
  doc.documentElement.dataset['print'] = paper;
  const done = (): void => {
    style.remove();
    delete doc.documentElement.dataset['print'];
    win.removeEventListener('afterprint', done);
  };
  win.addEventListener('afterprint', done);
  win.print();
}

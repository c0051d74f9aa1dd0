// Numeric boxes select their content when focused (issue 13): the generate dialog's count
// box opens holding "1000" with the focus in it, and typing 100000 used to append
// (1000100000). With the content selected, typing replaces it.
//
// What must stay true: a click into the box selects too. Chromium and WebKit collapse the
// selection on the mouseup that follows a click's focus, so that one mouseup (and only
// one that belongs to the focusing click) has its default prevented; a later click in a
// focused box places the caret as usual.

/** The box holds a number: `inputmode` numeric or decimal, or `type="number"`. */
export function isNumericBox(el: { inputMode?: string; type?: string; getAttribute(name: string): string | null }): boolean {
  const mode = el.inputMode || el.getAttribute('inputmode') || '';
  return mode === 'numeric' || mode === 'decimal' || el.type === 'number';
}

/** The part of an input this needs (so tests can give a stand-in). */
export interface SelectableBox extends EventTarget {
  select(): void;
}

/**
 * An attachment (`{@attach selectOnFocus}`): select all on focus, when `when()` says so at
 * that moment. Returns its cleanup.
 */
export function selectOnFocus(el: SelectableBox, when: () => boolean = () => true): () => void {
  let pressed = false;
  let keepOnMouseUp = false;
  const down = (): void => {
    pressed = true;
  };
  const focus = (): void => {
    if (!when()) return;
    el.select();
    keepOnMouseUp = pressed;
  };
  const up = (e: Event): void => {
    if (keepOnMouseUp) e.preventDefault();
    keepOnMouseUp = false;
    pressed = false;
  };
  // A dialog may have focused the box before this was attached: select it then too.
  queueMicrotask(() => {
    if ((globalThis.document?.activeElement as EventTarget | null | undefined) === el) focus();
  });
  el.addEventListener('mousedown', down);
  el.addEventListener('focus', focus);
  el.addEventListener('mouseup', up);
  return () => {
    el.removeEventListener('mousedown', down);
    el.removeEventListener('focus', focus);
    el.removeEventListener('mouseup', up);
  };
}

/**
 * The attachment every box uses (`TextField`, the conflict editor): `selectOnFocus` while
 * the box is numeric (`isNumericBox`, read at each focus: attributes may change).
 */
export function selectNumericOnFocus(el: HTMLInputElement): () => void {
  return selectOnFocus(el, () => isNumericBox(el));
}

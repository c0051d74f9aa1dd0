import { describe, expect, it } from 'vitest';

import { isNumericBox, selectOnFocus } from './selectOnFocus';

class Box extends EventTarget {
  selected = 0;
  select(): void {
    this.selected += 1;
  }
}

function fire(box: Box, type: string): Event {
  const e = new Event(type, { cancelable: true });
  box.dispatchEvent(e);
  return e;
}

function attr(mode: string | null, type = 'text') {
  return { type, getAttribute: (n: string) => (n === 'inputmode' ? mode : null) };
}

describe('selectOnFocus', () => {
  it('selects the content whenever the box gets the focus', () => {
    const box = new Box();
    selectOnFocus(box);
    fire(box, 'focus');
    expect(box.selected).toBe(1);
    fire(box, 'focus');
    expect(box.selected).toBe(2);
  });

  it('keeps the selection through the mouseup of the click that focused the box only', () => {
    const box = new Box();
    selectOnFocus(box);
    fire(box, 'mousedown');
    fire(box, 'focus');
    expect(fire(box, 'mouseup').defaultPrevented).toBe(true);
    // A second click in the focused box places the caret as usual.
    fire(box, 'mousedown');
    expect(fire(box, 'mouseup').defaultPrevented).toBe(false);
  });

  it('leaves a mouseup alone after a focus by keyboard', () => {
    const box = new Box();
    selectOnFocus(box);
    fire(box, 'focus');
    expect(fire(box, 'mouseup').defaultPrevented).toBe(false);
  });

  it('selects only while its condition holds', () => {
    const box = new Box();
    let numeric = false;
    selectOnFocus(box, () => numeric);
    fire(box, 'focus');
    expect(box.selected).toBe(0);
    numeric = true;
    fire(box, 'focus');
    expect(box.selected).toBe(1);
  });

  it('stops when cleaned up', () => {
    const box = new Box();
    selectOnFocus(box)();
    fire(box, 'focus');
    expect(box.selected).toBe(0);
  });
});

describe('isNumericBox', () => {
  it('knows numeric and decimal boxes, and nothing else', () => {
    expect(isNumericBox(attr('numeric'))).toBe(true);
    expect(isNumericBox(attr('decimal'))).toBe(true);
    expect(isNumericBox(attr(null, 'number'))).toBe(true);
    expect(isNumericBox(attr('tel'))).toBe(false);
    expect(isNumericBox(attr(null))).toBe(false);
  });
});

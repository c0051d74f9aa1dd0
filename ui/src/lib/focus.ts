// An attachment ({@attach focusNow}) for the button that appears when a dialog's work
// ends: the control staff had focused (Cancel) is gone, so focus moves to Close.
export function focusNow(el: HTMLElement): void {
  queueMicrotask(() => el.focus());
}

/**
 * After an action removed the row that held the focus (a revoked session, say): focus goes to the
 * first button left in the list, or to the list itself, instead of falling back to the page's top,
 * so a keyboard or screen-reader user stays where they were. Runs once React has drawn the change.
 */
export function keepFocusIn(list: HTMLElement | null): void {
  window.requestAnimationFrame(() => {
    if (list === null || !list.isConnected) return;
    if (list.contains(document.activeElement) && document.activeElement !== list) return;
    const next = list.querySelector<HTMLElement>('button:not([disabled])');
    (next ?? list).focus();
  });
}

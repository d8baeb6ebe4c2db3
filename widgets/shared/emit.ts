/**
 * Dispatches a `CustomEvent` that bubbles and crosses shadow boundaries, as every Candor event does.
 * Returns false when a listener called `preventDefault()` on a cancelable event.
 */
export function emit<K extends keyof HTMLElementEventMap>(
  el: HTMLElement,
  name: K,
  detail: HTMLElementEventMap[K] extends CustomEvent<infer D> ? D : never,
  init: Omit<CustomEventInit, 'detail'> = {},
): boolean {
  return el.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, ...init, detail }));
}

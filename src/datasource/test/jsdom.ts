/**
 * jsdom lacks what Grafana's Combobox measures with: a 2D canvas (text width) and element sizes (its option list is
 * virtualised and renders nothing in a zero-height box) and observers (scroll indicators). Import this file first in tests that open a Combobox.
 */
const context = { measureText: (text: string) => ({ width: text.length * 7 }), font: '' };
HTMLCanvasElement.prototype.getContext = (() => context) as unknown as typeof HTMLCanvasElement.prototype.getContext;

Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 400 });
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 400 });
Object.defineProperty(Element.prototype, 'clientHeight', { configurable: true, get: () => 400 });
Object.defineProperty(Element.prototype, 'clientWidth', { configurable: true, get: () => 400 });
Element.prototype.getBoundingClientRect = function () {
  return { width: 400, height: 400, top: 0, left: 0, bottom: 400, right: 400, x: 0, y: 0, toJSON: () => ({}) };
};
Element.prototype.scrollIntoView = function () {};

class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
Object.assign(globalThis, {
  IntersectionObserver: globalThis.IntersectionObserver ?? NoopObserver,
  ResizeObserver: globalThis.ResizeObserver ?? NoopObserver,
});

export {};

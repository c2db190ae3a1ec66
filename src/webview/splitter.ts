/**
 * The draggable edge between the span-name column and the timeline. Names are what people read in a
 * waterfall, and at a fixed share of the panel they were cut to "inve… vali…" beside an open sidebar.
 * The width is a share of the waterfall, so it follows resizes of the panel; it works from the keyboard
 * (a focusable separator: arrows, Home, End) as well as with the mouse, and double-click resets it.
 */
import { el } from './format';

export const NAME_MIN = 15;
export const NAME_MAX = 80;
export const NAME_DEFAULT = 38;
const KEY_STEP = 2;

/**
 * Put the separator into `host` (the waterfall column) at `initial` percent. `changed` hears every
 * width while dragging (`done` false) and the final one (`done` true), which is the one to keep.
 */
export function nameColumnSplitter(host: HTMLElement, initial: number | undefined, changed: (percent: number, done: boolean) => void): HTMLElement {
  const handle = el('div', {
    id: 'splitter',
    role: 'separator',
    tabindex: '0',
    'aria-orientation': 'vertical',
    'aria-label': 'Width of the span name column',
    'aria-valuemin': String(NAME_MIN),
    'aria-valuemax': String(NAME_MAX),
    title: 'Drag to resize the name column (or focus and use the arrow keys); double-click to reset',
  });
  let current = NAME_DEFAULT;
  const set = (percent: number, done: boolean): void => {
    current = Math.min(NAME_MAX, Math.max(NAME_MIN, Math.round(percent * 10) / 10));
    document.documentElement.style.setProperty('--name-w', `${current}%`);
    handle.setAttribute('aria-valuenow', String(Math.round(current)));
    changed(current, done);
  };
  const fromPointer = (e: PointerEvent): number => {
    const box = host.getBoundingClientRect();
    return ((e.clientX - box.left) / Math.max(1, box.width)) * 100;
  };

  handle.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    handle.setPointerCapture(e.pointerId);
    handle.classList.add('dragging');
    e.preventDefault();
  });
  handle.addEventListener('pointermove', (e) => {
    if (handle.hasPointerCapture(e.pointerId)) set(fromPointer(e), false);
  });
  const finish = (e: PointerEvent): void => {
    if (!handle.classList.contains('dragging')) return;
    handle.classList.remove('dragging');
    if (handle.hasPointerCapture(e.pointerId)) handle.releasePointerCapture(e.pointerId);
    set(current, true);
  };
  handle.addEventListener('pointerup', finish);
  handle.addEventListener('pointercancel', finish);
  handle.addEventListener('dblclick', () => set(NAME_DEFAULT, true));
  handle.addEventListener('keydown', (e) => {
    const to = e.key === 'ArrowLeft' ? current - KEY_STEP : e.key === 'ArrowRight' ? current + KEY_STEP : e.key === 'Home' ? NAME_MIN : e.key === 'End' ? NAME_MAX : undefined;
    if (to === undefined) return;
    set(to, true);
    e.preventDefault();
  });

  host.append(handle);
  set(initial ?? NAME_DEFAULT, false);
  return handle;
}

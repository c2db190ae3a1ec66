/**
 * The minimap: the whole trace's shape on a small canvas, with the zoom window on top. Dragging on it
 * zooms the rows, the ruler and the flame graph to that stretch of time; a double-click shows all.
 */
import type { TraceRows } from '../../shared/trace/traceRows';

const PALETTE = 10;

export interface MinimapView {
  data: TraceRows;
  /** The zoom window, µs relative to the trace start. */
  v0: number;
  v1: number;
}

export interface MinimapDeps {
  view(): MinimapView | null;
  zoom(v0: number, v1: number): void;
}

export class Minimap {
  private readonly canvas: HTMLCanvasElement;
  private readonly window: HTMLElement;
  private readonly drag: HTMLElement;
  private dragFrom: number | null = null;

  /** `element` holds the canvas (#minicanvas), the window (#miniwindow) and the drag mark (#minidrag). */
  constructor(private readonly element: HTMLElement, private readonly deps: MinimapDeps) {
    this.canvas = element.querySelector('canvas') as HTMLCanvasElement;
    this.window = element.querySelector('#miniwindow') as HTMLElement;
    this.drag = element.querySelector('#minidrag') as HTMLElement;
    element.addEventListener('mousedown', (e) => {
      this.dragFrom = this.fraction(e);
      e.preventDefault();
    });
    window.addEventListener('mousemove', (e) => {
      if (this.dragFrom === null) return;
      const to = this.fraction(e);
      this.drag.style.display = 'block';
      this.drag.style.left = `${Math.min(this.dragFrom, to) * 100}%`;
      this.drag.style.width = `${Math.abs(to - this.dragFrom) * 100}%`;
    });
    window.addEventListener('mouseup', (e) => {
      const from = this.dragFrom;
      this.dragFrom = null;
      const v = deps.view();
      if (from === null || !v) return;
      const to = this.fraction(e);
      this.drag.style.display = 'none';
      if (Math.abs(to - from) > 0.005) deps.zoom(Math.min(from, to) * v.data.durationUs, Math.max(from, to) * v.data.durationUs);
    });
    element.addEventListener('dblclick', () => {
      const v = deps.view();
      if (v) deps.zoom(0, v.data.durationUs);
    });
  }

  private fraction(e: MouseEvent): number {
    const box = this.element.getBoundingClientRect();
    return Math.min(1, Math.max(0, (e.clientX - box.left) / Math.max(1, box.width)));
  }

  render(): void {
    const v = this.deps.view();
    if (!v) return;
    const canvas = this.canvas;
    const box = canvas.getBoundingClientRect();
    const w = Math.max(1, Math.floor(box.width));
    const h = Math.max(1, Math.floor(box.height));
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const d = v.data;
    const total = Math.max(1e-9, d.durationUs);
    const style = getComputedStyle(document.body);
    const colors = Array.from({ length: PALETTE }, (_, i) => style.getPropertyValue(`--svc-${i}`).trim() || '#888');
    ctx.clearRect(0, 0, w, h);
    // A big trace gets one pixel row per bucket of spans, so the minimap shows its whole shape at any
    // size; a small one gets a thicker bar per span, spread over the height, instead of a thin stripe.
    const few = d.rowCount < h;
    const pitch = few ? h / d.rowCount : d.rowCount / h;
    const barH = few ? Math.max(1, Math.min(4, Math.floor(pitch) - 1)) : 1;
    for (let r = 0; r < d.rowCount; r++) {
      if (!d.has(r)) continue;
      // (Few rows: centred in their slot, so the first is not hidden under the window's border.)
      const y = Math.floor(few ? r * pitch + (pitch - barH) / 2 : r / pitch);
      ctx.fillStyle = colors[d.service[r] % PALETTE];
      ctx.fillRect((d.start[r] / total) * w, y, Math.max(1, (d.duration[r] / total) * w), barH);
    }
    this.positionWindow();
  }

  /** Move the window to the zoom (the drawing underneath does not change with it). */
  positionWindow(): void {
    const v = this.deps.view();
    if (!v) return;
    const total = Math.max(1e-9, v.data.durationUs);
    this.window.style.left = `${(v.v0 / total) * 100}%`;
    this.window.style.width = `${((v.v1 - v.v0) / total) * 100}%`;
  }
}

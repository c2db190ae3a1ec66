/**
 * The trace as a flame graph (an icicle: roots on top, each level one row below its parent), drawn on
 * a canvas: width is time, so a parent's self time is the part of its bar with no child under it. For
 * deep traces where the waterfall is tall, the whole shape fits on one screen. It shares the
 * waterfall's zoom window (the minimap), colours, search matches and selection.
 *
 * Drawing stays cheap at 100,000 spans: spans narrower than a pixel are merged per level and pixel
 * column, so a frame costs one pass over the rows plus at most (width × levels) rectangles.
 */
import type { TraceRows } from '../shared/trace/traceRows';
import { el, formatDuration } from './format';

const LEVEL_H = 18;
const PALETTE = 10;

export interface FlameView {
  data: TraceRows;
  v0: number;
  v1: number;
  selected: number;
  matchSet: ReadonlySet<number>;
}

export interface FlameDeps {
  view(): FlameView | null;
  select(row: number): void;
  /** Zoom to [v0, v1] µs (relative to the trace start), as the minimap does. */
  zoom(v0: number, v1: number): void;
}

export class FlameGraph {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLDivElement;
  private frame = 0;
  /** What each pixel column of each level shows, for hit-testing: row or -1. */
  private hits: Int32Array = new Int32Array(0);
  private hitWidth = 0;

  constructor(private readonly deps: FlameDeps) {
    this.canvas = el('canvas', { id: 'flamecanvas', tabindex: '0', role: 'img', 'aria-label': 'Flame graph of the trace: click a span to select it, scroll to zoom' });
    this.tip = el('div', { id: 'flametip', role: 'tooltip', hidden: '' });
    this.element = el('div', { id: 'flame', hidden: '' }, this.canvas, this.tip);
    this.canvas.addEventListener('mousedown', (e) => {
      const r = this.rowAt(e);
      if (r >= 0) deps.select(r);
      this.canvas.focus();
    });
    this.canvas.addEventListener('dblclick', (e) => {
      const v = deps.view();
      const r = this.rowAt(e);
      if (v && r >= 0) deps.zoom(v.data.start[r], v.data.start[r] + Math.max(v.data.duration[r], 1e-3));
    });
    this.canvas.addEventListener('mousemove', (e) => this.showTip(e));
    this.canvas.addEventListener('mouseleave', () => (this.tip.hidden = true));
    // Wheel zooms around the pointer, Shift+wheel pans: the view the waterfall shares.
    this.canvas.addEventListener('wheel', (e) => {
      const v = deps.view();
      if (!v) return;
      e.preventDefault();
      const box = this.canvas.getBoundingClientRect();
      const at = v.v0 + ((e.clientX - box.left) / Math.max(1, box.width)) * (v.v1 - v.v0);
      const total = v.data.durationUs;
      if (e.shiftKey) {
        const shift = (e.deltaY / 500) * (v.v1 - v.v0);
        const v0 = Math.min(Math.max(0, v.v0 + shift), Math.max(0, total - (v.v1 - v.v0)));
        deps.zoom(v0, v0 + (v.v1 - v.v0));
        return;
      }
      const factor = Math.exp(e.deltaY / 400);
      const width = Math.min(total, Math.max(1e-3, (v.v1 - v.v0) * factor));
      const v0 = Math.min(Math.max(0, at - ((at - v.v0) / (v.v1 - v.v0)) * width), Math.max(0, total - width));
      deps.zoom(v0, v0 + width);
    }, { passive: false });
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  show(on: boolean): void {
    this.element.hidden = !on;
    if (on) this.render();
  }

  /** Draw on the next frame (many changes in one frame draw once). */
  render(): void {
    if (this.element.hidden || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draw now; returns the number of rectangles drawn (the bench and tests read it). */
  draw(): number {
    const v = this.deps.view();
    const canvas = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.floor(canvas.clientWidth));
    if (!v) return 0;
    const d = v.data;
    let levels = 1;
    for (let r = 0; r < d.rowCount; r++) if (d.has(r) && d.depth[r] + 1 > levels) levels = d.depth[r] + 1;
    const h = levels * LEVEL_H;
    canvas.style.height = `${h}px`;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const style = getComputedStyle(document.body);
    const colours = Array.from({ length: PALETTE }, (_, i) => style.getPropertyValue(`--svc-${i}`).trim() || '#888');
    const text = style.getPropertyValue('--flame-text').trim() || '#000';
    const selectedColour = style.getPropertyValue('--vscode-focusBorder').trim() || '#007fd4';
    const span = Math.max(1e-9, v.v1 - v.v0);
    const scale = w / span;
    const searching = v.matchSet.size > 0;
    // Per level, the last pixel column drawn: spans that fall in it again are merged into it.
    const lastX = new Float64Array(levels).fill(-1);
    this.hits = new Int32Array(w * levels).fill(-1);
    this.hitWidth = w;
    ctx.font = `11px ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`;
    ctx.textBaseline = 'middle';
    let drawn = 0;
    for (let r = 0; r < d.rowCount; r++) {
      if (!d.has(r)) continue;
      const start = d.start[r];
      const end = start + d.duration[r];
      if (end < v.v0 || start > v.v1) continue;
      const level = d.depth[r];
      const x0 = Math.max(0, (start - v.v0) * scale);
      const x1 = Math.min(w, (end - v.v0) * scale);
      // Under a pixel wide and in a column this level has drawn already: merged into it.
      if (x1 - x0 < 1 && Math.floor(x0) <= lastX[level]) continue;
      const width = Math.max(1, x1 - x0);
      lastX[level] = Math.floor(x0 + width - 1);
      const y = level * LEVEL_H;
      const dim = searching && !v.matchSet.has(r);
      ctx.globalAlpha = dim ? 0.25 : 1;
      ctx.fillStyle = d.error(r) ? style.getPropertyValue('--error').trim() || '#f14c4c' : colours[d.service[r] % PALETTE];
      ctx.fillRect(x0, y + 1, Math.max(1, width - (width > 3 ? 1 : 0)), LEVEL_H - 2);
      drawn++;
      for (let x = Math.floor(x0); x < Math.min(w, Math.ceil(x0 + width)); x++) this.hits[level * w + x] = r;
      if (width > 40) {
        ctx.fillStyle = text;
        const label = `${d.services[d.service[r]] ?? ''}: ${d.name[r]}`;
        ctx.save();
        ctx.beginPath();
        ctx.rect(x0 + 3, y, width - 6, LEVEL_H);
        ctx.clip();
        ctx.fillText(label, x0 + 4, y + LEVEL_H / 2);
        ctx.restore();
      }
      if (r === v.selected) {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = selectedColour;
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + 1, y + 1, Math.max(1, width - 2), LEVEL_H - 2);
      }
    }
    ctx.globalAlpha = 1;
    this.element.dataset.rects = String(drawn);
    return drawn;
  }

  private rowAt(e: MouseEvent): number {
    const box = this.canvas.getBoundingClientRect();
    const x = Math.floor(e.clientX - box.left);
    const level = Math.floor((e.clientY - box.top) / LEVEL_H);
    if (x < 0 || x >= this.hitWidth || level < 0) return -1;
    return this.hits[level * this.hitWidth + x] ?? -1;
  }

  private showTip(e: MouseEvent): void {
    const v = this.deps.view();
    const r = this.rowAt(e);
    if (!v || r < 0) {
      this.tip.hidden = true;
      return;
    }
    const d = v.data;
    this.tip.textContent = `${d.services[d.service[r]] ?? ''}: ${d.name[r]} · ${formatDuration(d.duration[r])}`;
    this.tip.hidden = false;
    const box = this.element.getBoundingClientRect();
    this.tip.style.left = `${Math.min(e.clientX - box.left + 12, box.width - 260)}px`;
    this.tip.style.top = `${e.clientY - box.top + this.element.scrollTop + 14}px`;
  }
}

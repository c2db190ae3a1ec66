/**
 * The trace as a flame graph (an icicle: roots on top, each level one row below its parent), drawn on
 * a canvas: width is time, so a parent's self time is the part of its bar with no child under it. For
 * deep traces where the waterfall is tall, the whole shape fits on one screen. It shares the
 * waterfall's zoom window (the minimap), colours, search matches and selection.
 *
 * Drawing stays cheap at 100,000 spans: a span that falls inside the run of pixels its level has just
 * drawn adds nothing visible and is skipped, so a frame costs one pass over the rows plus a few
 * thousand rectangles.
 */
import type { TraceRows } from '../../shared/trace/traceRows';
import { el, formatDuration } from '../format';

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
    const levels = this.levelsOf(d);
    const h = levels * LEVEL_H;
    // Resizing a canvas reallocates it: only when its size changed, not on every frame of a zoom.
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.style.height = `${h}px`;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const ctx = canvas.getContext('2d');
    if (!ctx) return 0;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const { colours, text, selectedColour, error, font } = this.theme();
    const span = Math.max(1e-9, v.v1 - v.v0);
    const scale = w / span;
    const searching = v.matchSet.size > 0;
    // Per level, the run of pixel columns drawn last: a span inside it is covered already.
    const runFrom = new Float64Array(levels).fill(-1);
    const runTo = new Float64Array(levels).fill(-1);
    if (this.hits.length !== w * levels) this.hits = new Int32Array(w * levels);
    this.hits.fill(-1);
    this.hitWidth = w;
    ctx.font = font;
    ctx.textBaseline = 'middle';
    let drawn = 0;
    let lastFill = '';
    ctx.globalAlpha = 1;
    for (let r = 0; r < d.rowCount; r++) {
      if (!d.has(r)) continue;
      const start = d.start[r];
      const end = start + d.duration[r];
      if (end < v.v0 || start > v.v1) continue;
      const level = d.depth[r];
      const x0 = Math.max(0, (start - v.v0) * scale);
      const x1 = Math.min(w, (end - v.v0) * scale);
      // Inside what this level has drawn already (a contiguous run of pixels): nothing new would show,
      // unless the span is selected or a search match. At 100,000 spans this skips most rectangles.
      const px0 = Math.floor(x0);
      const px1 = Math.ceil(Math.max(x1, x0 + 1));
      if (px0 >= runFrom[level] && px1 <= runTo[level] && r !== v.selected && !(searching && v.matchSet.has(r))) continue;
      if (px0 >= runFrom[level] && px0 <= runTo[level]) runTo[level] = Math.max(runTo[level], px1);
      else {
        runFrom[level] = px0;
        runTo[level] = px1;
      }
      const width = Math.max(1, x1 - x0);
      const y = level * LEVEL_H;
      if (searching) ctx.globalAlpha = v.matchSet.has(r) ? 1 : 0.25;
      // Setting a style costs more than a rectangle: only when it changes.
      const fill = d.error(r) ? error : colours[d.service[r] % PALETTE];
      if (fill !== lastFill) ctx.fillStyle = lastFill = fill;
      ctx.fillRect(x0, y + 1, Math.max(1, width - (width > 3 ? 1 : 0)), LEVEL_H - 2);
      drawn++;
      this.hits.fill(r, level * w + Math.floor(x0), level * w + Math.min(w, Math.ceil(x0 + width)));
      if (width > 48) {
        // Cut to the bar's width by an average character width: cheaper than clipping each label.
        const label = `${d.services[d.service[r]] ?? ''}: ${d.name[r]}`;
        const fits = Math.floor((width - 8) / 6.5);
        ctx.fillStyle = lastFill = text;
        ctx.fillText(label.length > fits ? `${label.slice(0, Math.max(1, fits - 1))}…` : label, x0 + 4, y + LEVEL_H / 2);
      }
      if (r === v.selected) {
        if (searching) ctx.globalAlpha = 1;
        ctx.strokeStyle = selectedColour;
        ctx.lineWidth = 2;
        ctx.strokeRect(x0 + 1, y + 1, Math.max(1, width - 2), LEVEL_H - 2);
      }
    }
    ctx.globalAlpha = 1;
    this.element.dataset.rects = String(drawn);
    return drawn;
  }

  private levelCache: { data: TraceRows; arrived: number; levels: number } | undefined;

  /** The number of levels, counted again only when rows arrived since. */
  private levelsOf(d: TraceRows): number {
    const c = this.levelCache;
    if (c && c.data === d && c.arrived === d.arrivedRows) return c.levels;
    let levels = 1;
    for (let r = 0; r < d.rowCount; r++) if (d.has(r) && d.depth[r] + 1 > levels) levels = d.depth[r] + 1;
    this.levelCache = { data: d, arrived: d.arrivedRows, levels };
    return levels;
  }

  /** The theme's colours, read once per theme (reading computed styles every frame costs a style pass). */
  private themeCache: { key: string; colours: string[]; text: string; selectedColour: string; error: string; font: string } | undefined;

  private theme(): NonNullable<FlameGraph['themeCache']> {
    const key = `${document.body.className}|${document.documentElement.getAttribute('style') ?? ''}`;
    if (this.themeCache?.key === key) return this.themeCache;
    const style = getComputedStyle(document.body);
    const get = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
    this.themeCache = {
      key,
      colours: Array.from({ length: PALETTE }, (_, i) => get(`--svc-${i}`, '#888')),
      text: get('--flame-text', '#000'),
      selectedColour: get('--vscode-focusBorder', '#007fd4'),
      error: get('--error', '#f14c4c'),
      font: `11px ${get('--vscode-font-family', 'sans-serif')}`,
    };
    return this.themeCache;
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

/** The time axis above the rows: "nice" ticks (1, 2 or 5 × 10^k) over the zoom window. */
import { el, formatDuration, niceStep } from '../format';
import type { WaterfallStore } from './store';

export class Ruler {
  readonly element: HTMLDivElement;
  private readonly ticks: HTMLDivElement;

  constructor(private readonly store: WaterfallStore) {
    this.ticks = el('div', { id: 'ticks' });
    this.element = el('div', { id: 'ruler' }, el('div', { id: 'rulername' }, 'Service / span'), this.ticks);
    store.subscribe((_v, changed) => {
      if (changed.has('zoom')) this.render();
    });
  }

  /** Draw the ticks (hidden while the flame graph takes the rows' place; drawn again when shown). */
  render(): void {
    const v = this.store.view;
    if (!v || this.element.hidden) return;
    const ticks = this.ticks;
    ticks.replaceChildren();
    const span = v.v1 - v.v0;
    const step = niceStep(span, 6);
    for (let t = Math.ceil(v.v0 / step) * step; t <= v.v1; t += step) {
      const at = ((t - v.v0) / span) * 100;
      // Near the right edge the label goes left of its line, so it is not cut off by the details pane.
      const tick = el('span', { class: at > 88 ? 'tick end' : 'tick' }, formatDuration(t));
      tick.style.left = `${at}%`;
      ticks.append(tick);
    }
    // A label drawn left of its line may run into the one before it (250 ms right after 200 ms): then
    // the regular tick stays and the end one goes.
    const last = ticks.lastElementChild;
    const before = last?.previousElementSibling;
    if (last?.classList.contains('end') && before && before.getBoundingClientRect().right > last.getBoundingClientRect().left) last.remove();
  }
}

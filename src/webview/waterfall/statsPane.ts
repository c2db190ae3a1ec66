/**
 * Trace statistics beside the waterfall (Jaeger's "trace statistics"): spans grouped by service, by
 * service and operation, or by any attribute, with count, total, self time, average, min, max, errors
 * and share of the trace; sortable by any column. Clicking a group shows only its spans in the
 * waterfall (through "matches only"), and clicking it again shows everything.
 */
import type { ReplyMap } from '../../shared/protocol';
import { el, formatDuration } from '../format';

type Stats = ReplyMap['stats'];
type Column = 'key' | 'count' | 'totalUs' | 'selfUs' | 'avgUs' | 'minUs' | 'maxUs' | 'errors';

export interface StatsPaneDeps {
  load(groupBy: string): Promise<Stats>;
  rowsOf(groupBy: string, key: string): Promise<number[]>;
  /** Show only these rows (undefined: show all again), saying what they are. */
  filter(rows: number[] | undefined, label: string): void;
  status(text: string): void;
}

const COLUMNS: Array<[Column, string]> = [['key', 'Group'], ['count', 'Count'], ['totalUs', 'Total'], ['selfUs', 'Self'], ['avgUs', 'Avg'], ['minUs', 'Min'], ['maxUs', 'Max'], ['errors', 'Errors']];

export class StatsPane {
  readonly element: HTMLElement;
  private readonly groupBy: HTMLSelectElement;
  private readonly table: HTMLTableElement;
  private stats: Stats | undefined;
  private sort: { column: Column; descending: boolean } = { column: 'selfUs', descending: true };
  private active: string | undefined;
  private token = 0;

  constructor(private readonly deps: StatsPaneDeps) {
    this.groupBy = el('select', { id: 'groupby', 'aria-label': 'Group spans by' }, el('option', { value: 'service' }, 'Service'), el('option', { value: 'operation' }, 'Service and operation'));
    this.groupBy.value = 'operation';
    this.groupBy.addEventListener('change', () => void this.refresh());
    this.table = el('table', { id: 'statstable' });
    this.element = el('aside', { id: 'stats', 'aria-label': 'Trace statistics', hidden: '' }, el('div', { class: 'statshead' }, el('h2', {}, 'Statistics'), el('label', {}, 'Group by ', this.groupBy)), this.table, el('p', { class: 'hint' }, 'Click a group to show only its spans; click it again to show all.'));
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  /** Load the statistics of the trace on show (again after a new trace arrived). */
  async refresh(): Promise<void> {
    const token = ++this.token;
    const groupBy = this.groupBy.value;
    try {
      const stats = await this.deps.load(groupBy);
      if (token !== this.token) return;
      this.stats = stats;
      this.offerKeys(stats.attributeKeys);
      if (this.active !== undefined) {
        this.active = undefined;
        this.deps.filter(undefined, '');
      }
      this.render();
    } catch (e) {
      this.deps.status((e as Error).message);
    }
  }

  /** The attribute keys the trace has, as more ways to group (kept when switching between them). */
  private offerKeys(keys: string[]): void {
    const have = new Set(Array.from(this.groupBy.options, (o) => o.value));
    for (const k of keys) if (!have.has(k)) this.groupBy.append(el('option', { value: k }, `attribute ${k}`));
  }

  private render(): void {
    const s = this.stats;
    if (!s) return;
    const { column, descending } = this.sort;
    const rows = [...s.rows].sort((a, b) => {
      const x = a[column];
      const y = b[column];
      const c = typeof x === 'string' ? x.localeCompare(y as string) : (x as number) - (y as number);
      return descending ? -c : c;
    });
    const head = el('tr', {}, ...COLUMNS.map(([c, label]) => {
      const sorted = c === column;
      const th = el('th', { scope: 'col', 'aria-sort': sorted ? (descending ? 'descending' : 'ascending') : 'none' }, el('button', { class: 'sortby', title: `Sort by ${label.toLowerCase()}` }, `${label}${sorted ? (descending ? ' ▾' : ' ▴') : ''}`));
      th.firstElementChild!.addEventListener('click', () => {
        this.sort = { column: c, descending: sorted ? !descending : c !== 'key' };
        this.render();
      });
      return th;
    }), el('th', { scope: 'col' }, 'Share'));
    const body = rows.map((r) => {
      const share = s.traceUs > 0 ? (100 * r.selfUs) / s.traceUs : 0;
      const tr = el('tr', { class: r.key === this.active ? 'group active' : 'group', tabindex: '0', title: `Show only the ${r.count} span${r.count === 1 ? '' : 's'} of ${r.key}` },
        el('td', { class: 'key' }, r.key),
        el('td', { class: 'num' }, String(r.count)),
        el('td', { class: 'num' }, formatDuration(r.totalUs)),
        el('td', { class: 'num' }, formatDuration(r.selfUs)),
        el('td', { class: 'num' }, formatDuration(r.avgUs)),
        el('td', { class: 'num' }, formatDuration(r.minUs)),
        el('td', { class: 'num' }, formatDuration(r.maxUs)),
        el('td', { class: r.errors ? 'num err' : 'num' }, String(r.errors)),
        el('td', { class: 'share' }, el('span', { class: 'sharebar' }), `${share.toFixed(1)}%`),
      );
      (tr.querySelector('.sharebar') as HTMLElement).style.width = `${Math.min(100, share) * 0.4}px`;
      const pick = (): void => void this.pick(r.key, r.count);
      tr.addEventListener('click', pick);
      tr.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          pick();
        }
      });
      return tr;
    });
    this.table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
  }

  private async pick(key: string, count: number): Promise<void> {
    if (this.active === key) {
      this.active = undefined;
      this.deps.filter(undefined, '');
      this.render();
      return;
    }
    try {
      const rows = await this.deps.rowsOf(this.groupBy.value, key);
      this.active = key;
      this.deps.filter(rows, `${count} span${count === 1 ? '' : 's'} of ${key}`);
      this.render();
    } catch (e) {
      this.deps.status((e as Error).message);
    }
  }

  /** Forget the chosen group (the user searched, or a new trace came). */
  clearActive(): void {
    if (this.active === undefined) return;
    this.active = undefined;
    this.render();
  }

  toggle(show: boolean): void {
    this.element.hidden = !show;
    if (show) void this.refresh();
  }
}

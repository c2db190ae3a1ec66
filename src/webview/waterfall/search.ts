/**
 * The search box and its matches: the host answers a query with the matching rows (it holds the
 * search index); Enter and the arrows step through them, "Matches only" hides the rest. A statistics
 * group clicked feeds its rows in the same way, as if they were matches.
 */
import { el } from '../format';
import { SAVED_LOAD_ID } from '../../shared/trace/savedScreen';
import type { WaterfallStore } from './store';

export interface SearchDeps {
  search(query: string): Promise<{ rows: number[]; error?: string }>;
  status(text: string): void;
  /** The user typed a query: it decides what is shown now (a statistics group no longer does). */
  typed(): void;
}

export class SearchBar {
  readonly input: HTMLInputElement;
  readonly only: HTMLInputElement;
  /** The toolbar's search controls, in order. */
  readonly elements: HTMLElement[];
  private readonly count: HTMLSpanElement;
  private token = 0;
  private errorShown = false;
  private timer = 0;

  constructor(private readonly store: WaterfallStore, private readonly deps: SearchDeps) {
    this.input = el('input', { id: 'search', type: 'search', placeholder: 'Search spans: words, "a phrase", key=value', 'aria-label': 'Search spans', spellcheck: 'false' });
    const prev = el('button', { id: 'prev', title: 'Previous match (Shift+Enter)', 'aria-label': 'Previous match' }, '↑');
    const next = el('button', { id: 'next', title: 'Next match (Enter)', 'aria-label': 'Next match' }, '↓');
    this.count = el('span', { id: 'count', 'aria-live': 'polite' });
    this.only = el('input', { id: 'only', type: 'checkbox' });
    this.elements = [this.input, prev, next, this.count, el('label', {}, this.only, ' Matches only')];

    this.input.addEventListener('input', () => {
      deps.typed();
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.run(this.input.value), 150);
    });
    next.addEventListener('click', () => this.step(1));
    prev.addEventListener('click', () => this.step(-1));
    this.only.addEventListener('change', () => {
      if (!this.only.checked) deps.typed();
      store.setMatchesOnly(this.only.checked);
    });
  }

  get query(): string {
    return this.input.value;
  }

  /** Keys in the search box: Enter steps (or searches), Escape clears, ArrowDown goes to the rows. */
  handleKey(e: KeyboardEvent, toRows: () => void): void {
    if (e.key === 'Enter') {
      window.clearTimeout(this.timer);
      if (this.store.view?.matches.length && this.input.value.trim()) this.step(e.shiftKey ? -1 : 1);
      else void this.run(this.input.value);
    } else if (e.key === 'Escape') {
      this.clear();
      toRows();
    } else if (e.key === 'ArrowDown') toRows();
    else return;
    e.preventDefault();
  }

  clear(): void {
    this.input.value = '';
    void this.run('');
  }

  /** A new trace: its matches are not the last one's (the query stays, and runs again once it is whole). */
  reset(): void {
    this.count.textContent = '';
  }

  async run(query: string): Promise<void> {
    const v = this.store.view;
    // A screen restored after a reload has no host behind it yet: the query runs once the live trace is whole.
    if (!v || v.data.loadId === SAVED_LOAD_ID) return;
    const token = ++this.token;
    if (!query.trim()) {
      this.count.textContent = '';
      this.store.setMatches([]);
      return;
    }
    try {
      const { rows, error } = await this.deps.search(query);
      if (token !== this.token || this.store.view !== v) return;
      this.count.textContent = rows.length ? `${rows.length} match${rows.length === 1 ? '' : 'es'}` : 'no matches';
      // A term the search did not understand is said where it stays visible (stepping through matches
      // rewrites the count), and cleared once the query is fixed.
      if (error) this.deps.status(error);
      else if (this.errorShown) this.deps.status('');
      this.errorShown = !!error;
      this.store.setMatches(rows);
      if (rows.length) this.step(1);
    } catch (e) {
      this.count.textContent = (e as Error).message;
    }
  }

  step(delta: number): void {
    const r = this.store.stepMatch(delta);
    const v = this.store.view;
    if (r < 0 || !v) return;
    this.count.textContent = `${v.matchIndex + 1} of ${v.matches.length}`;
    this.store.select(r);
  }

  /** Show only `rows` (a statistics group), or everything again: "matches only", fed directly. */
  showOnly(rows: number[] | undefined, label: string): void {
    const v = this.store.view;
    if (!v || (!rows && !v.matchesOnly)) return;
    this.input.value = '';
    this.only.checked = !!rows;
    this.count.textContent = label;
    this.store.setMatches(rows ?? [], !!rows);
  }
}

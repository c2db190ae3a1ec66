/**
 * The details pane of one span: its timing (with self time and critical-path share), status, ids,
 * actions (copy, send again), repairs, source links, attributes, events, links, resource and scope.
 * Built from what the host answered; span data goes into the DOM as text only. The host is asked
 * for a span's details when it is selected: the webview holds only what the rows show.
 */
import type { ReplyMap, Request, SpanDetails } from '../../shared/protocol';
import { el, formatDuration } from '../format';
import { SAVED_LOAD_ID } from '../../shared/trace/savedScreen';
import type { WaterfallStore } from './store';

export interface DetailsContext {
  traceStartUs: number;
  /** The span has children: "Send subtree again" is offered. */
  hasSubtree: boolean;
  request<R extends Request>(req: R): Promise<ReplyMap[R['action']]>;
  /** Select another row of this trace (a link to a span in it). */
  select(row: number): void;
  status(text: string): void;
}


function kvTable(rows: Array<[string, string]>): HTMLElement {
  if (!rows.length) return el('p', { class: 'hint' }, 'none');
  const table = el('table', { class: 'kv' });
  for (const [k, val] of rows) table.append(el('tr', {}, el('th', {}, k), el('td', {}, val)));
  return table;
}

function section(title: string, ...content: Node[]): HTMLElement {
  return el('section', {}, el('h3', {}, title), ...content);
}

export function detailsOf(s: SpanDetails, ctx: DetailsContext): Node[] {
  const { request, select, status } = ctx;
  const actions = el('div', { class: 'actions' });
  const copy = (label: string, format: 'id' | 'zipkin' | 'otlp-json' | 'jaeger'): void => {
    const b = el('button', {}, label);
    b.addEventListener('click', () => {
      request({ action: 'copy', row: s.row, format })
        .then(() => status(`Copied ${label.toLowerCase()}.`))
        .catch((e: Error) => status(e.message));
    });
    actions.append(b);
  };
  copy('Copy span id', 'id');
  copy('Copy as Zipkin', 'zipkin');
  copy('Copy as OTLP/JSON', 'otlp-json');
  copy('Copy as Jaeger', 'jaeger');
  const again = (label: string, subtree: boolean): void => {
    const b = el('button', { title: 'Post to an endpoint again (you choose where, and whether to re-stamp)' }, label);
    b.addEventListener('click', () => {
      request({ action: 'sendAgain', row: s.row, subtree })
        .then((r) => status(r.sent ? 'Sent.' : 'Not sent.'))
        .catch((e: Error) => status(e.message));
    });
    actions.append(b);
  };
  again('Send again', false);
  if (ctx.hasSubtree) again('Send subtree again', true);

  const head = el('div', { class: 'dhead' },
    el('h2', {}, s.name || '(unnamed)'),
    el('div', { class: 'sub' }, `${s.service || 'unknown service'} · ${s.kind} · ${formatDuration(s.durationUs)} · starts +${formatDuration(s.startUs - ctx.traceStartUs)}`),
    el('div', { class: 'sub timing' }, `self time ${formatDuration(s.selfUs)}${s.durationUs > 0 ? ` (${Math.round((100 * s.selfUs) / s.durationUs)}%)` : ''}${s.criticalUs !== undefined ? ` · on the critical path: ${formatDuration(s.criticalUs)}` : ''}`),
    el('div', { class: `statusline ${s.status.code}` }, `status: ${s.status.code}${s.status.message ? ` — ${s.status.message}` : ''}`),
    el('div', { class: 'ids' }, `span ${s.spanId}${s.parentId ? ` · parent ${s.parentId}` : ' · root'}`),
  );
  const parts: Node[] = [head, actions];
  if (s.warnings.length) parts.push(section('Repairs', el('ul', { class: 'warnings' }, ...s.warnings.map((w) => el('li', {}, w)))));
  if (s.sources.length) {
    const list = el('ul', { class: 'sources' });
    for (const src of s.sources) {
      const a = el('a', { href: '#', title: `Open ${src.path}${src.line ? `:${src.line}` : ''}` }, src.label);
      a.addEventListener('click', (e) => {
        e.preventDefault();
        request({ action: 'openSource', path: src.path, line: src.line, column: src.column }).catch((err: Error) => status(err.message));
      });
      list.append(el('li', {}, a));
    }
    parts.push(section('Source', list));
  }
  parts.push(section('Attributes', kvTable(s.attributes)));
  if (s.events.length) {
    const list = el('ul', { class: 'events' });
    for (const e of s.events) list.append(el('li', {}, el('strong', {}, `+${formatDuration(e.offsetUs)} ${e.name}`), e.attributes.length ? kvTable(e.attributes) : ''));
    parts.push(section(`Events (${s.events.length})`, list));
  }
  if (s.links.length) {
    const list = el('ul', { class: 'links' });
    for (const l of s.links) {
      if (l.row !== null) {
        const a = el('a', { href: '#' }, `span ${l.spanId} (this trace)`);
        const row = l.row;
        a.addEventListener('click', (e) => {
          e.preventDefault();
          select(row);
        });
        list.append(el('li', {}, a));
      } else list.append(el('li', {}, `trace ${l.traceId} · span ${l.spanId}`));
    }
    parts.push(section(`Links (${s.links.length})`, list));
  }
  parts.push(section('Resource', kvTable(s.resource)));
  if (s.scope) parts.push(section('Instrumentation scope', el('p', {}, s.scope)));
  return parts;
}

export interface DetailsPaneDeps {
  request<R extends Request>(req: R): Promise<ReplyMap[R['action']]>;
  status(text: string): void;
}

/** The pane beside the rows: the selected span's details, asked for on each selection. */
export class DetailsPane {
  readonly element: HTMLElement;
  private token = 0;

  constructor(private readonly store: WaterfallStore, private readonly deps: DetailsPaneDeps) {
    this.element = el('aside', { id: 'details', 'aria-label': 'Span details' }, el('p', { class: 'hint' }, 'Select a span to see its details.'));
    store.subscribe((v, changed) => {
      if (changed.has('selection')) this.load(v.selected);
    });
  }

  private load(r: number): void {
    const v = this.store.view;
    if (!v || r < 0) return;
    const token = ++this.token;
    if (v.data.loadId === SAVED_LOAD_ID) {
      // A screen restored after a reload: the host has not read the trace yet; its load selects the row again.
      this.element.replaceChildren(el('h2', {}, v.data.name[r]), el('p', { class: 'hint' }, 'Restoring the trace…'));
      return;
    }
    // A slow answer (a big trace, a busy host) must not leave the previous span's details on show as if
    // they were this one's; a quick one should not flash a placeholder, hence the short delay.
    const pane = this.element;
    const placeholder = setTimeout(() => {
      if (token !== this.token) return;
      pane.setAttribute('aria-busy', 'true');
      pane.replaceChildren(el('h2', {}, v.data.name[r]), el('p', { class: 'hint' }, 'Loading details…'));
    }, 120);
    const settle = (): boolean => {
      clearTimeout(placeholder);
      if (token !== this.token) return false;
      pane.removeAttribute('aria-busy');
      return true;
    };
    this.deps.request({ action: 'details', row: r })
      .then((s) => settle() && pane.replaceChildren(...detailsOf(s, {
        traceStartUs: v.data.startUs,
        hasSubtree: v.data.subtreeEnd[s.row] > s.row + 1,
        request: this.deps.request,
        select: (row) => this.store.select(row),
        status: this.deps.status,
      })))
      .catch((e: Error) => settle() && pane.replaceChildren(el('p', { class: 'error' }, `Could not load details: ${e.message}`)));
  }
}

/**
 * The comparison view's state in one place: the comparison, the selected node and the filter. Views
 * subscribe and redraw from it; nothing else keeps state of its own, so the tree, the side-by-side
 * traces and the span list always agree.
 */
import type { CompareNodeView, CompareSideView } from '../../shared/compareProtocol';

export interface CompareData {
  a: CompareSideView;
  b: CompareSideView;
  nodes: CompareNodeView[];
  /** Children of each node, and the roots, in the host's order (largest change first). */
  children: number[][];
  roots: number[];
}

export interface State {
  data: CompareData | null;
  selected: number;
  collapsed: ReadonlySet<number>;
  hideUnchanged: boolean;
  minChangePercent: number;
}

type Listener = (s: State, changed: ReadonlySet<keyof State>) => void;

export class Store {
  private state: State;
  private readonly listeners = new Set<Listener>();

  constructor(initial: Omit<State, 'data' | 'selected' | 'collapsed'>) {
    this.state = { data: null, selected: -1, collapsed: new Set(), ...initial };
  }

  get(): State {
    return this.state;
  }

  set(patch: Partial<State>): void {
    this.state = { ...this.state, ...patch };
    const changed = new Set(Object.keys(patch) as Array<keyof State>);
    for (const l of this.listeners) l(this.state, changed);
  }

  subscribe(l: Listener): void {
    this.listeners.add(l);
  }
}

export function withTree(a: CompareSideView, b: CompareSideView, nodes: CompareNodeView[]): CompareData {
  const children: number[][] = nodes.map(() => []);
  const roots: number[] = [];
  nodes.forEach((n, i) => (n.parent >= 0 ? children[n.parent].push(i) : roots.push(i)));
  return { a, b, nodes, children, roots };
}

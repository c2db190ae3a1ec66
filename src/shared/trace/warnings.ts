/** Repairs the linker's passes note per span, by the span's position in the list they work on. */
import type { SpanWarning } from './trace';

export class Warnings {
  readonly byNode = new Map<number, SpanWarning[]>();

  add(node: number, w: SpanWarning): void {
    const list = this.byNode.get(node);
    if (list) list.push(w);
    else this.byNode.set(node, [w]);
  }
}

/**
 * The longest synchronous stretches of a waterfall load, by step (link passes, chunks, search-index
 * blocks): what the event-loop monitor's "longest block" is made of, logged beside it, so the step to
 * split next is known from a real editor's log rather than guessed.
 */
export class Stretches {
  private readonly top: Array<{ label: string; ms: number }> = [];

  /** A pause for one task's loop: it records the stretch since the task last resumed, then yields a turn. */
  pauser(label: string): { pause(): Promise<void>; end(): void } {
    let resumed = performance.now();
    let n = 0;
    return {
      pause: async () => {
        this.note(`${label} ${n++}`, performance.now() - resumed);
        await new Promise((r) => setImmediate(r));
        resumed = performance.now();
      },
      end: () => this.note(`${label} ${n}`, performance.now() - resumed),
    };
  }

  note(label: string, ms: number): void {
    this.top.push({ label, ms });
    this.top.sort((a, b) => b.ms - a.ms);
    this.top.length = Math.min(this.top.length, 3);
  }

  toString(): string {
    return this.top.map((t) => `${t.label} ${Math.round(t.ms)} ms`).join(', ');
  }
}

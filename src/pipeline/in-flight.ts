/**
 * The tasks in flight, with room for at most `size`: `add` waits for a place once they are that
 * many. The waiters are woken when a task finishes — not a `Promise.race` over every task in
 * flight, whose cost grows with the window at each ticket and whose reactions pile up on the
 * tasks still running.
 */
export class InFlight {
  readonly tasks = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];
  /** The first task that failed: `add` throws it, as a race over the tasks would have. */
  private failure: { error: unknown } | undefined;

  constructor(private readonly size: () => number) {}

  /** Tracks `task`; resolves once there is room for the next one. */
  async add(task: Promise<void>): Promise<void> {
    this.tasks.add(task);
    const settled = () => {
      this.tasks.delete(task);
      // Each waiter looks again whether there is room for it.
      const woken = this.waiters;
      this.waiters = [];
      for (const wake of woken) wake();
    };
    task.then(settled, (error: unknown) => {
      this.failure ??= { error };
      settled();
    });
    while (this.tasks.size >= this.size() && !this.failure) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.check();
  }

  /** Throws what the first failed task threw, if one did. */
  check(): void {
    if (this.failure) throw this.failure.error;
  }
}

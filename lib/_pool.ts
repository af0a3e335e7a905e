/**
 * Runs up to `size` tasks at once; the first failure stops new tasks (they throw it) and is
 * thrown by {@linkcode Pool.drain} once every running task has settled.
 */
export class Pool {
  readonly #size: number;
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(size: number) {
    this.#size = size;
  }

  /** Starts `task` once a slot is free. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#size && !this.#failure) {
      await Promise.race(this.#running);
    }
    if (this.#failure) throw this.#failure.error;
    const running: Promise<void> = task()
      .catch((error) => {
        this.#failure ??= { error };
      })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Waits for every running task (whatever the outcome). */
  async settle(): Promise<void> {
    await Promise.all(this.#running);
  }

  /** Waits for every running task; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.#failure) throw this.#failure.error;
  }
}

/**
 * Runs tasks one at a time per key (one pull request), in arrival order, so two quick
 * pushes to the same PR cannot race. Keys are dropped as soon as their queue drains, so
 * memory stays bounded by the work in flight.
 */
export class KeyedSerialQueue {
  #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.#tails.size;
  }
}

/**
 * Orders the app's writes by urgency. Probot's throttling plugin lets one write through per
 * second (three seconds for writes that notify people), first come first served; when many
 * PRs open at once, this queue hands it the most urgent write next, so every PR gets its
 * reviewers before any PR gets its label.
 */
export const PRIORITY = {
  reviewers: 0,
  check: 1,
  comment: 2,
  label: 3,
} as const;

interface Job {
  priority: number;
  seq: number;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WriteQueue {
  #jobs: Job[] = [];
  #active = 0;
  #seq = 0;

  /** How many writes may be handed to Octokit at once; the throttle serialises them anyway. */
  constructor(private readonly concurrency = 1) {}

  schedule<T>(priority: number, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ priority, seq: this.#seq++, run, resolve: resolve as (v: unknown) => void, reject });
      // Pump on the next microtask so writes scheduled in the same turn compete on priority.
      queueMicrotask(() => this.#pump());
    });
  }

  get pending(): number {
    return this.#jobs.length + this.#active;
  }

  #pump(): void {
    while (this.#active < this.concurrency && this.#jobs.length) {
      let best = 0;
      for (let i = 1; i < this.#jobs.length; i++) {
        const a = this.#jobs[i]!;
        const b = this.#jobs[best]!;
        if (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
      }
      const job = this.#jobs.splice(best, 1)[0]!;
      this.#active++;
      void Promise.resolve()
        .then(job.run)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.#active--;
          this.#pump();
        });
    }
  }
}

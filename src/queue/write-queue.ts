/**
 * Orders the app's writes by urgency. Probot's throttling plugin lets one write through per
 * second per installation (three seconds for writes that notify people), first come first
 * served; when many PRs open at once, this queue hands it the most urgent write next, so
 * every PR gets its reviewers before any PR gets its label or comment, and an urgent PR gets
 * them before the others.
 */
export const PRIORITY = {
  /** An urgent PR's review requests (`urgency`) go before every other PR's. */
  urgentReviewers: 0,
  reviewers: 1,
  check: 2,
  comment: 3,
  label: 4,
} as const;

interface Job {
  priority: number;
  seq: number;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  jobs: Job[];
  active: number;
}

export class WriteQueue {
  /** One lane per installation, like the throttle's own limiter; a lane goes when it drains. */
  #lanes = new Map<string, Lane>();
  #seq = 0;

  /** How many writes a lane hands to Octokit at once; the throttle serialises them anyway. */
  constructor(private readonly concurrency = 1) {}

  schedule<T>(lane: string, priority: number, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let l = this.#lanes.get(lane);
      if (!l) {
        l = { jobs: [], active: 0 };
        this.#lanes.set(lane, l);
      }
      l.jobs.push({ priority, seq: this.#seq++, run, resolve: resolve as (v: unknown) => void, reject });
      // Pump on the next microtask so writes scheduled in the same turn compete on priority.
      queueMicrotask(() => this.#pump(lane));
    });
  }

  get pending(): number {
    let n = 0;
    for (const l of this.#lanes.values()) n += l.jobs.length + l.active;
    return n;
  }

  get lanes(): number {
    return this.#lanes.size;
  }

  #pump(name: string): void {
    const lane = this.#lanes.get(name);
    if (!lane) return;
    while (lane.active < this.concurrency && lane.jobs.length) {
      let best = 0;
      for (let i = 1; i < lane.jobs.length; i++) {
        const a = lane.jobs[i]!;
        const b = lane.jobs[best]!;
        if (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
      }
      const job = lane.jobs.splice(best, 1)[0]!;
      lane.active++;
      void Promise.resolve()
        .then(job.run)
        .then(job.resolve, job.reject)
        .finally(() => {
          lane.active--;
          if (!lane.active && !lane.jobs.length) this.#lanes.delete(name);
          else this.#pump(name);
        });
    }
  }
}

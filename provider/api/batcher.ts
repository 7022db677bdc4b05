/** The platform's limit on ids per `GET /users?uuids=`. */
export const MAX_BATCH = 100;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `fn` once the promise jobs queued now have run, as DataLoader does by default. */
function afterCurrentJobs(fn: () => void): void {
  void Promise.resolve().then(() => process.nextTick(fn));
}

/**
 * When a batch of reads goes out: at once while fewer than `slots` read requests are in flight,
 * otherwise when one of them comes back, with every read that arrived meanwhile. `slots` is what
 * the client may send at once (`acronis:maxConcurrentRequests`), so a read waits only when it
 * would have waited for a free slot anyway, and joins the reads waiting with it.
 *
 * No timer: under the engine's default (serial) mode each Diff's read is alone and goes out at
 * once. When reads really are concurrent (refresh and steps on the engine's P workers,
 * `PULUMI_PARALLEL_DIFF`, an engine that sends everything at once), those beyond the slots pile
 * up into the next batch. (One request in flight at a time would batch more, but made a refresh
 * on 8 workers 1.7 times slower than one GET per read: each half of the workers waited for the
 * other half's batch.)
 *
 * `schedule` is DataLoader's `batchScheduleFn`; wrap each batch request in `run`.
 */
export class Dispatch {
  private inFlight = 0;
  private waiting: (() => void)[] = [];

  constructor(private readonly slots: number) {}

  readonly schedule = (send: () => void): void => {
    if (this.inFlight < this.slots) afterCurrentJobs(send);
    else this.waiting.push(send);
  };

  async run<T>(request: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await request();
    } finally {
      this.inFlight--;
      for (const send of this.waiting.splice(0)) send();
    }
  }
}

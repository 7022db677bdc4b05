/**
 * A deployment's P step workers. The engine hands a step to a worker over an unbuffered channel
 * and gives up the hand-off once the deployment is cancelled (pulumi/pulumi at 1b5949891b3c,
 * pkg/resource/deploy/step_executor.go `ExecuteSerial`: `select` on the send or `ctx.Done()`), so
 * a step still waiting for a worker when a step fails is dropped, never started.
 */
export class Workers {
  private busy = 0;
  private cancelled = false;
  private readonly waiting: ((handedOff: boolean) => void)[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`parallel must be >= 1, got ${size}`);
  }

  /** Waits (FIFO) for a free worker: true once it has one, false when the deployment was cancelled. */
  async acquire(): Promise<boolean> {
    if (this.cancelled) return false;
    if (this.busy < this.size) {
      this.busy++;
      return true;
    }
    return new Promise<boolean>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.busy--;
  }

  /** step_executor.go `cancelDueToError` cancels the context: every waiting hand-off gives up. */
  cancel(): void {
    this.cancelled = true;
    for (const waiting of this.waiting.splice(0)) waiting(false);
  }
}

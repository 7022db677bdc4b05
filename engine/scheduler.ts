import type { EngineOptions } from "./engine-options";
import { DEFAULT_PARALLEL, type Op, type Props, type StepResult } from "./model";
import { transcribe } from "./transcript";
import { Workers } from "./workers";

/**
 * A deployment's step workers and what it reports of its steps: a step runs on one of the P
 * workers, a failure cancels the deployment unless --continue-on-error (pulumi/pulumi at
 * 1b5949891b3c, pkg/resource/deploy/step_executor.go `cancelDueToError`), and each finished step
 * is recorded once.
 */

/** A step's outcome before it is reported. */
export interface Done {
  op: Op;
  outputs?: Props;
}

export interface OnWorkerOptions {
  /** A refresh's steps (step_executor.go `ignoreErrors`): a failure cancels nothing. */
  ignoreErrors?: boolean;
  /** Errors that never cancel, --continue-on-error or not (a protect refusal). */
  continueOn?: (error: unknown) => boolean;
}

export class StepScheduler {
  readonly steps: StepResult[] = [];
  protected readonly workers: Workers;
  private readonly running = new Set<Promise<unknown>>();
  protected cancelled = false;
  /** Resources whose step failed or was skipped: steps that depend on them are skipped. */
  readonly failed = new Set<string>();

  constructor(
    readonly options: EngineOptions,
    /** A resource whose steps are not reported (the default provider's). */
    private readonly unreported: string,
  ) {
    this.workers = new Workers(options.parallel ?? DEFAULT_PARALLEL);
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** A free worker, or false once the deployment is cancelled (the step is dropped). */
  acquire(): Promise<boolean> {
    return this.workers.acquire();
  }

  /** Waits for every running step to finish. */
  protected async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Work the deployment waits for before it settles (a parallel Diff and what follows it). */
  protected background<T>(work: Promise<T>): Promise<T> {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    return work;
  }

  /** Runs `body` on the worker already acquired, records the step, frees the worker. */
  onWorker(
    name: string,
    urn: string,
    planned: Op,
    body: () => Promise<Done>,
    options: OnWorkerOptions = {},
  ): Promise<StepResult> {
    const run = (async () => {
      try {
        return this.record({ name, urn, ok: true, ...(await body()) });
      } catch (error) {
        this.failed.add(urn);
        const goOn = options.ignoreErrors || options.continueOn?.(error);
        if (!goOn && !this.options.continueOnError) this.cancel();
        return this.record({ name, urn, op: planned, ok: false, error: messageOf(error) });
      } finally {
        this.workers.release();
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return run;
  }

  /** A failed Check or Diff: an error of step generation, which always stops the deployment. */
  protected fail(name: string, urn: string, op: Op, error: unknown): void {
    this.failed.add(urn);
    this.cancel();
    this.record({ name, urn, op, ok: false, error: messageOf(error) });
  }

  private cancel(): void {
    this.cancelled = true;
    this.workers.cancel();
  }

  record(step: StepResult): StepResult {
    const result: StepResult = {
      name: step.name,
      urn: step.urn,
      op: step.op,
      ok: step.ok,
      ...(step.error !== undefined ? { error: step.error } : {}),
      ...(step.outputs ? { outputs: step.outputs } : {}),
    };
    if (step.urn === this.unreported) return result;
    this.steps.push(result);
    transcribe("step", () => JSON.stringify(result));
    this.options.onStep?.(result);
    return result;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

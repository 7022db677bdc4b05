import type { Props, ProviderHost } from "./host";
import { transcribe } from "./transcript";

/**
 * A stand-in for the Pulumi engine's deployment loop, small enough to read: it keeps a stack's
 * state and turns the goals a program declared into the provider calls `pulumi preview`, `up`,
 * `refresh` and `destroy` make, in the same order and with the same arguments:
 *
 *   preview  Check, then Diff for resources in state (olds = stored OUTPUTS); no Create/Update
 *   up       Check, Diff, then Create / Update / Create+Delete (replace) / Delete; state saved
 *   refresh  Read (empty id = gone, removed from state)
 *   destroy  Delete with the stored properties (the stored __provider)
 *
 * Like the engine, it checks each resource as the program registers it, then runs every
 * resource's Diff and step at once (Pulumi's default parallelism is unbounded), and keeps going
 * past a failed resource. `up` is `up --skip-preview`: one Diff per resource.
 */

export interface Goal {
  name: string;
  type: string;
  inputs: Props;
}

export interface ResourceState {
  urn: string;
  name: string;
  type: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

export interface StackState {
  resources: ResourceState[];
}

export type Op = "create" | "update" | "replace" | "delete" | "same" | "refresh" | "gone";

export interface StepResult {
  name: string;
  urn: string;
  op: Op;
  ok: boolean;
  error?: string;
  outputs?: Props;
}

export type RunKind = "preview" | "up" | "refresh" | "destroy";

export interface RunResult {
  kind: RunKind;
  steps: StepResult[];
  ms: number;
}

export function countOps(result: RunResult): Record<Op, number> {
  const counts: Record<Op, number> = {
    create: 0,
    update: 0,
    replace: 0,
    delete: 0,
    same: 0,
    refresh: 0,
    gone: 0,
  };
  for (const step of result.steps) counts[step.op]++;
  return counts;
}

export function failures(result: RunResult): StepResult[] {
  return result.steps.filter((s) => !s.ok);
}

export interface EngineOptions {
  project: string;
  stack: string;
  state?: StackState;
  /** Called as each step finishes (progress output). */
  onStep?: (step: StepResult) => void;
}

export class Engine {
  private readonly byUrn = new Map<string, ResourceState>();

  constructor(
    public host: ProviderHost,
    readonly options: EngineOptions,
  ) {
    for (const res of options.state?.resources ?? []) this.byUrn.set(res.urn, res);
  }

  /** The stack's state, as `pulumi stack export` would show it (JSON-serialisable). */
  get state(): StackState {
    return { resources: [...this.byUrn.values()] };
  }

  urn(goal: Pick<Goal, "name" | "type">): string {
    return `urn:pulumi:${this.options.stack}::${this.options.project}::${goal.type}::${goal.name}`;
  }

  preview(goals: readonly Goal[]): Promise<RunResult> {
    return this.deploy("preview", goals);
  }

  up(goals: readonly Goal[]): Promise<RunResult> {
    return this.deploy("up", goals);
  }

  async refresh(): Promise<RunResult> {
    return this.run("refresh", async () => {
      const results = await Promise.all(
        [...this.byUrn.values()].map((res) =>
          this.step(res.name, res.urn, "refresh", async () => {
            const read = await this.host.read(res.urn, res.id, res.outputs, res.inputs);
            if (read.id === "") {
              this.remove(res.urn);
              return { op: "gone" as const };
            }
            res.outputs = read.properties;
            if (read.inputs) res.inputs = read.inputs;
            return { op: "refresh" as const, outputs: read.properties };
          }),
        ),
      );
      return results;
    });
  }

  async destroy(): Promise<RunResult> {
    return this.run("destroy", () =>
      Promise.all(
        [...this.byUrn.values()].map((res) =>
          this.step(res.name, res.urn, "delete", async () => {
            await this.host.delete(res.urn, res.id, res.outputs);
            this.remove(res.urn);
            return { op: "delete" as const };
          }),
        ),
      ),
    );
  }

  private deploy(kind: "preview" | "up", goals: readonly Goal[]): Promise<RunResult> {
    const apply = kind === "up";
    return this.run(kind, async () => {
      const wanted = new Set(goals.map((g) => this.urn(g)));
      const steps: Promise<StepResult>[] = [];
      for (const goal of goals) {
        const urn = this.urn(goal);
        const old = this.find(urn);
        // Check runs in the engine's step generator, one registration at a time; Diff and the
        // step itself go on in parallel (pulumi/pulumi#18872).
        const checking = this.host.check(urn, old?.inputs ?? {}, goal.inputs);
        await checking.catch(() => undefined);
        const step = this.step(goal.name, urn, old ? "update" : "create", async (planned) => {
          const checked = await checking;
          if (checked.failures.length > 0) {
            throw new Error(checked.failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
          }
          const inputs = checked.inputs;
          const create = async () => {
            const created = await this.host.create(urn, inputs);
            const { name, type } = goal;
            this.put({ urn, name, type, id: created.id, inputs, outputs: created.properties });
            return created.properties;
          };
          if (!old) {
            if (!apply) return { op: "create" as const };
            return { op: "create" as const, outputs: await create() };
          }
          const diff = await this.host.diff(urn, old.id, old.outputs, inputs);
          if (diff.replaces.length > 0) {
            planned.op = "replace";
            if (!apply) return { op: "replace" as const };
            // Create-before-delete, Pulumi's default for replacements.
            const outputs = await create();
            await this.host.delete(urn, old.id, old.outputs);
            return { op: "replace" as const, outputs };
          }
          if (diff.changes === "none") {
            if (apply) old.inputs = inputs;
            return { op: "same" as const, outputs: old.outputs };
          }
          if (!apply) return { op: "update" as const };
          const updated = await this.host.update(urn, old.id, old.outputs, inputs);
          old.inputs = inputs;
          old.outputs = updated.properties;
          return { op: "update" as const, outputs: updated.properties };
        });
        steps.push(step);
      }
      const deletes = [...this.byUrn.values()]
        .filter((res) => !wanted.has(res.urn))
        .map((res) =>
          this.step(res.name, res.urn, "delete", async () => {
            if (apply) {
              await this.host.delete(res.urn, res.id, res.outputs);
              this.remove(res.urn);
            }
            return { op: "delete" as const };
          }),
        );
      return Promise.all([...steps, ...deletes]);
    });
  }

  private async run(kind: RunKind, body: () => Promise<StepResult[]>): Promise<RunResult> {
    const started = performance.now();
    const steps = await body();
    transcribe("state", () => JSON.stringify(this.state));
    return { kind, steps, ms: performance.now() - started };
  }

  private async step(
    name: string,
    urn: string,
    plannedOp: Op,
    body: (planned: { op: Op }) => Promise<{ op: Op; outputs?: Props }>,
  ): Promise<StepResult> {
    let result: StepResult;
    const planned = { op: plannedOp };
    try {
      const done = await body(planned);
      result = {
        name,
        urn,
        op: done.op,
        ok: true,
        ...(done.outputs ? { outputs: done.outputs } : {}),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { name, urn, op: planned.op, ok: false, error: message };
    }
    transcribe("step", () => JSON.stringify(result));
    this.options.onStep?.(result);
    return result;
  }

  find(urn: string): ResourceState | undefined {
    return this.byUrn.get(urn);
  }

  /** The stored state of the resource named `name`. */
  resource(name: string): ResourceState | undefined {
    return [...this.byUrn.values()].find((r) => r.name === name);
  }

  private put(res: ResourceState): void {
    this.byUrn.set(res.urn, res);
  }

  private remove(urn: string): void {
    this.byUrn.delete(urn);
  }
}

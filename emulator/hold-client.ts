import { controlRequest } from "./control-request";
import type { Arrival, HoldRule } from "./hold";

export type { Arrival, HoldRule } from "./hold";

/** A hold the emulator keeps: wait until it parks requests, then release them. */
export interface HeldRequests {
  id: number;
  /** Resolves with the parked arrivals once `count` (default 1) are parked. */
  parked(count?: number): Promise<Arrival[]>;
  /** Lets them go on: the platform then applies them, whether or not their caller is still there. */
  release(): Promise<number>;
}

/** Client for the emulator's arrival log and request holds (emulator/hold.ts). */
export class HoldsControl {
  constructor(private readonly rootUrl: string) {}

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return controlRequest(this.rootUrl, method, path, body);
  }

  /** Parks the next `times` (default 1) matching API requests until released. */
  async hold(rule: HoldRule): Promise<HeldRequests> {
    const { id } = await this.call<{ id: number }>("POST", "/_emulator/holds", rule);
    return {
      id,
      parked: (count = 1) => this.call("GET", `/_emulator/holds/${id}/wait?count=${count}`),
      release: async () =>
        (await this.call<{ released: number }>("POST", `/_emulator/holds/${id}/release`)).released,
    };
  }

  async releaseAll(): Promise<void> {
    await this.call("DELETE", "/_emulator/holds");
  }

  /** Every API request since the last reset, in arrival order; `key` (request-keys.ts, e.g. PUT_USER) filters. */
  arrivals(key?: string): Promise<Arrival[]> {
    const q = key === undefined ? "" : `?key=${encodeURIComponent(key)}`;
    return this.call("GET", `/_emulator/arrivals${q}`);
  }

  /** Resolves once `count` requests of `key` have arrived (since the last reset). */
  arrived(key: string, count = 1): Promise<Arrival[]> {
    return this.call(
      "GET",
      `/_emulator/arrivals/wait?key=${encodeURIComponent(key)}&count=${count}`,
    );
  }
}

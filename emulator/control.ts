import { controlRequest } from "./control-request";

export { EmulatorControlError } from "./control-request";

import type { UserPatch } from "./body-schemas";
import type { FaultRule, RequestStatsSnapshot } from "./faults";
import { HoldsControl } from "./hold-client";

export interface OutboxMail {
  id: string;
  /** An email-change confirmation, or an activation mail (its link activates the account). */
  kind: "email-change" | "activation";
  /** The OLD address: where the platform sends the confirmation link. */
  to: string;
  userId: string;
  requestedEmail: string;
  /** Absolute URL; a GET on it is the user clicking the link. */
  link: string;
  sentAt: string;
  opened: boolean;
  openedAt: string | null;
  outcome: "pending" | "confirmed" | "superseded" | "deleted";
}

export interface ConfirmResult {
  ok: boolean;
  status: number;
  body: unknown;
}

export type FaultListing = (FaultRule & { remaining: number | "always" })[];

/** User JSON as the API returns it (schema `user`), loosely typed. */
export type UserJson = Record<string, unknown> & {
  id: string;
  version: number;
  tenant_id: string;
  login: string;
  activated: boolean;
  contact: Record<string, unknown> & { email: string };
};

/** Typed client for the emulator's `/_emulator` surface (no auth; loopback). */
export class EmulatorControl {
  readonly rootUrl: string;
  /** Request arrivals and holds: signals for tests instead of delays. */
  readonly holds: HoldsControl;

  constructor(rootUrl: string) {
    this.rootUrl = rootUrl.replace(/\/+$/, "");
    this.holds = new HoldsControl(this.rootUrl);
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return controlRequest(this.rootUrl, method, path, body);
  }

  outbox(): Promise<OutboxMail[]> {
    return this.call("GET", "/_emulator/outbox");
  }

  /** Opens a confirmation link like the user would; never throws on 404/410 (returns them). */
  async confirm(mailOrLink: OutboxMail | string): Promise<ConfirmResult> {
    const link = typeof mailOrLink === "string" ? mailOrLink : mailOrLink.link;
    const res = await fetch(link.startsWith("http") ? link : this.rootUrl + link);
    const text = await res.text();
    return { ok: res.ok, status: res.status, body: text.length ? JSON.parse(text) : undefined };
  }

  requests(): Promise<RequestStatsSnapshot> {
    return this.call("GET", "/_emulator/requests");
  }

  async resetRequests(): Promise<void> {
    await this.call("POST", "/_emulator/requests/reset");
  }

  /** Appends fault rules (first matching live rule wins). */
  faults(rules: FaultRule | FaultRule[]): Promise<FaultListing> {
    return this.call("POST", "/_emulator/faults", rules);
  }

  listFaults(): Promise<FaultListing> {
    return this.call("GET", "/_emulator/faults");
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/_emulator/faults");
  }

  async latency(ms: number): Promise<void> {
    await this.call("POST", "/_emulator/latency", { ms });
  }

  /** Back to the seed: users, outbox, counters, faults, latency, clock. */
  async reset(): Promise<void> {
    await this.call("POST", "/_emulator/reset");
  }

  /** Reads a user bypassing auth and subtree checks (deleted users too). */
  getUser(id: string): Promise<UserJson> {
    return this.call("GET", `/_emulator/users/${id}`);
  }

  /** Out-of-band write; version increments unless `version` is given. */
  patchUser(id: string, patch: UserPatch): Promise<UserJson> {
    return this.call("PATCH", `/_emulator/users/${id}`, patch);
  }

  async deleteUser(id: string): Promise<void> {
    await this.call("DELETE", `/_emulator/users/${id}`);
  }

  /** Moves the platform clock forward (tokens expire without waiting). */
  advanceClock(seconds: number): Promise<{ now: string }> {
    return this.call("POST", "/_emulator/clock", { advanceSeconds: seconds });
  }
}

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { USERS } from "./demo-seeds";
import { PUT_USER as PUT, USER_PATH } from "./request-keys";
import { type RunningEmulator, startEmulator } from "./server";
import { getToken, waitFor } from "./test-helpers";

let emu: RunningEmulator;
let token: string;

beforeAll(async () => {
  emu = await startEmulator();
  token = await getToken(emu.baseUrl);
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  await emu.control.reset();
});

const putBob = (email: string, version = 1) =>
  fetch(`${emu.baseUrl}/users/${USERS.bob}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ contact: { email }, version }),
  });

describe("request holds", () => {
  it("parks a matching request, received but not applied, until released", async () => {
    const held = await emu.control.holds.hold({ method: "PUT", path: USER_PATH });
    const answer = putBob("b2@alpha.example");
    const [parked] = await held.parked();
    expect(parked).toMatchObject({ key: PUT, heldBy: held.id, answeredAt: null });
    // Parked: the platform has not applied it.
    expect((await emu.control.getUser(USERS.bob)).contact.email).not.toBe("b2@alpha.example");
    expect(await held.release()).toBe(1);
    expect((await answer).status).toBe(200);
    expect((await emu.control.getUser(USERS.bob)).contact.email).toBe("b2@alpha.example");
    // The next PUT is not held: the hold parked one.
    expect((await putBob("b3@alpha.example", 2)).status).toBe(200);
  });

  it("applies a released request whose caller has gone", async () => {
    const held = await emu.control.holds.hold({ method: "PUT" });
    const abort = new AbortController();
    const answer = fetch(`${emu.baseUrl}/users/${USERS.bob}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ contact: { email: "gone@alpha.example" }, version: 1 }),
      signal: abort.signal,
    }).catch((e: unknown) => e);
    await held.parked();
    abort.abort();
    expect(await answer).toBeInstanceOf(Error);
    await held.release();
    await emu.control.holds.arrived(PUT);
    const [arrival] = await emu.control.holds.arrivals(PUT);
    expect(arrival?.releasedAt).not.toBeNull();
    // Applied once released, though nobody waits for the answer any more.
    await waitFor(async () => (await emu.control.requests()).inFlight === 0);
    expect((await emu.control.getUser(USERS.bob)).contact.email).toBe("gone@alpha.example");
  });

  it("a reset answers parked requests 503 and applies nothing", async () => {
    const held = await emu.control.holds.hold({ method: "PUT" });
    const answer = putBob("never@alpha.example");
    await held.parked();
    await emu.control.reset();
    expect((await answer).status).toBe(503);
    expect((await emu.control.getUser(USERS.bob)).version).toBe(1);
  });
});

describe("arrivals", () => {
  it("records each API request with the emulator's timestamps and its answer", async () => {
    await emu.control.faults({ method: "PUT", action: { type: "status", status: 429 } });
    expect((await putBob("x@alpha.example")).status).toBe(429);
    expect((await putBob("x@alpha.example")).status).toBe(200);
    const puts = await emu.control.holds.arrived(PUT, 2);
    expect(puts.map((a) => a.status)).toEqual([429, 200]);
    const [first, second] = puts;
    expect(first?.answeredAt).toBeGreaterThanOrEqual(first?.at ?? Infinity);
    expect(second?.at).toBeGreaterThanOrEqual(first?.answeredAt ?? Infinity);
    expect(puts.map((a) => a.seq)).toEqual([1, 2]);
  });

  it("a wait for arrivals that do not come answers 408 with what did", async () => {
    const res = await fetch(
      `${emu.url}/_emulator/arrivals/wait?key=${encodeURIComponent(PUT)}&count=1&timeoutMs=50`,
    );
    expect(res.status).toBe(408);
    expect(await res.json()).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { ProviderSession } from "./provider-session";

/** A stack config as `configure` hands it over: a lookup of `acronis:` keys. */
function config(values: Record<string, string>) {
  const all: Record<string, string> = {
    "acronis:baseUrl": "http://127.0.0.1:9/api/2",
    "acronis:clientId": "client",
    "acronis:clientSecret": "secret-value",
    ...values,
  };
  return (key: string) => all[key];
}

const sessions: ProviderSession[] = [];
function start(values: Record<string, string>, previous?: ProviderSession): ProviderSession {
  const session = ProviderSession.start(config(values), previous);
  sessions.push(session);
  return session;
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

describe("a provider host process's session", () => {
  it("keeps counting acronis:maxEmailChanges when a second configure replaces the session", () => {
    const first = start({ "acronis:maxEmailChanges": "1" });
    first.admit("account-a");
    const second = start({ "acronis:maxEmailChanges": "1" }, first);
    // A second account would double the limit; the account counted before is admitted again.
    expect(() => second.admit("account-b")).toThrow(/refused by acronis:maxEmailChanges/);
    expect(() => second.admit("account-a")).not.toThrow();
  });

  it("remembers the accounts checked in this process across configures, not across processes", () => {
    const first = start({});
    first.markChecked("account-a");
    expect(start({}, first).wasChecked("account-a")).toBe(true);
    expect(start({}).wasChecked("account-a")).toBe(false);
  });

  it("hands a step still holding the replaced session the new session's client and config", async () => {
    const first = start({ "acronis:maxEmailChanges": "5" });
    const oldClient = first.api();
    const second = start({ "acronis:maxEmailChanges": "7" }, first);
    await first.close();
    expect(first.api()).not.toBe(oldClient);
    expect(first.api()).toBe(second.api());
    expect(first.policy().maxEmailChanges).toBe(7);
  });

  it("builds one client per session, on first use", () => {
    const session = start({});
    expect(session.api()).toBe(session.api());
  });
});

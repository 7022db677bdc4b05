import { describe, expect, it } from "vitest";
import { PUT_USER } from "../emulator/request-keys";
import { api, getToken } from "../emulator/test-helpers";
import { failures, type Goal, type RunResult } from "../engine/engine";
import { declareGoals } from "./support/declare";
import { CLIENT_ID, CLIENT_SECRET, ROOT_TENANT, seed, USERS } from "./support/fixtures";
import { stackForStories } from "./support/stack";

/**
 * Which config a provider runs with when a command refreshes before the program (pulumi/pulumi
 * at 1b5949891b3c; engine/providers.ts cites each rule): the refresh with the provider's STORED
 * inputs (deployment.go `EnsureProvider`, registry.go `Same`), the program's steps with the
 * config the program registers (registry.go `Diff`, `Update`, `setProviderAndCloseOld`). And
 * what that means for a rotated API client secret.
 */

const PROJECT = "engine-rotation";
const SECRET_KEY = `${PROJECT}:secret`;
/** The API client the secret store holds after the rotation. */
const CLIENT_B = "c0000000-0000-4000-8000-0000000000b2";
const SECRET_B = "s3cr3t-Rotated-ClientSecret-5e4d3c";

const stack = stackForStories({
  name: PROJECT,
  seed: {
    ...seed,
    clients: [
      ...seed.clients,
      { client_id: CLIENT_B, client_secret: SECRET_B, tenant_id: ROOT_TENANT },
    ],
  },
  eachStoryFresh: true,
});

const fresh = (email = "fresh@old.example.com") =>
  stack.userEmail("fresh", { userId: USERS.fresh, email });

/** The old API client revoked: disabled by the new one (its tokens answer 401 from then on). */
async function revokeOldClient(): Promise<void> {
  const token = await getToken(stack.emulator.baseUrl, CLIENT_B, SECRET_B);
  const disabled = await api(stack.emulator.baseUrl, token, "PUT", `/clients/${CLIENT_ID}`, {
    status: "disabled",
  });
  expect(disabled.status).toBe(200);
}

/** The rotation with the secret in the stack config: the new client set, the old one revoked. */
async function rotate(): Promise<void> {
  await revokeOldClient();
  stack.configure({
    config: { ...stack.config, "acronis:clientId": CLIENT_B, "acronis:clientSecret": SECRET_B },
  });
}

/**
 * One run of examples/ci on main: `pulumi preview --refresh`, then `pulumi up --refresh` as
 * pulumi/actions runs it (the Automation API's `up`, which skips the preview).
 */
async function ciRun(goals: Goal[]): Promise<string[]> {
  const preview = await stack.preview(goals, { refresh: true });
  if (failures(preview).length > 0) return errorsOf(preview);
  return errorsOf(await stack.up(goals, { refresh: true, skipPreview: true }));
}

function errorsOf(result: RunResult): string[] {
  return failures(result).map((s) => `${s.name} ${s.op}: ${s.error}`);
}

describe("the refresh of `--refresh` runs with the provider's stored config", () => {
  it("the default provider: the refresh reads with the credentials of the last update", async () => {
    expect(failures(await stack.up([fresh()]))).toEqual([]);
    await rotate();
    stack.calls.length = 0;

    const result = await stack.up([fresh()], { refresh: true, skipPreview: true });
    expect(failures(result).map((s) => [s.name, s.op])).toEqual([["fresh", "refresh"]]);
    expect(errorsOf(result)[0]).toContain(`API client ${CLIENT_ID}`);
    expect(errorsOf(result)[0]).toContain("HTTP 401");
    // Stopped before the program: no Check, so the new config was never recorded.
    expect(stack.calls.filter((c) => c.method === "check")).toEqual([]);
    const stored = stack.engine.resources().find((r) => r.name === "default");
    expect(stored?.inputs["acronis:clientId"]).toBe(CLIENT_ID);
  });

  it.each([
    ["changed: a new process with the new config runs the program's steps", true, 2],
    ["unchanged: the refresh's process runs them", false, 1],
  ])("the default provider's config %s", async (_name, change, processes) => {
    expect(failures(await stack.up([fresh()]))).toEqual([]);
    if (change) stack.configure({ config: { ...stack.config, "acronis:maxEmailChanges": "0" } });
    const goals = [fresh("fresh@new.example.com")];

    for (const [run, write] of [
      [() => stack.preview(goals, { refresh: true }), []],
      [() => stack.up(goals, { refresh: true, skipPreview: true }), change ? [] : ["update"]],
    ] as const) {
      stack.calls.length = 0;
      const result = await run();
      expect(result.hosts).toBe(processes);
      // The refresh's process, configured from the state; then, on a change, the program's own.
      const program = [...(change ? ["configure"] : []), "check", "diff", ...write];
      expect(stack.calls.map((c) => c.method)).toEqual(["configure", "read", "diff", ...program]);
      if (change)
        expect(errorsOf(result).join("\n")).toContain("refused by acronis:maxEmailChanges");
      else expect(errorsOf(result)).toEqual([]);
    }
  });
});

/** One AcronisProvider on the test platform with `extra` arguments, and `fresh` under it. */
function instanceProgram(extra: Record<string, unknown>, email: string): Promise<Goal[]> {
  return declareGoals(
    stack.workspace,
    {
      project: PROJECT,
      stack: "test",
      config: { [SECRET_KEY]: CLIENT_SECRET },
      secretKeys: [SECRET_KEY],
    },
    (pkg, pulumi) => {
      const provider = new pkg.AcronisProvider("dc", {
        baseUrl: stack.emulator.baseUrl,
        clientId: CLIENT_ID,
        clientSecret: new pulumi.Config().requireSecret("secret"),
        ...extra,
      });
      return [new pkg.UserEmail("fresh", { userId: USERS.fresh, email }, { provider })];
    },
  );
}

describe("an AcronisProvider whose arguments changed is applied by `up --refresh`", () => {
  it.each([
    [
      "allowedEmailDomains tightened",
      { allowedEmailDomains: ["old.example.com", "new.example.com"] },
      { allowedEmailDomains: ["old.example.com"] },
      'domain "new.example.com" is not in acronis:allowedEmailDomains (old.example.com)',
    ],
    [
      "maxEmailChanges tightened",
      { maxEmailChanges: 5 },
      { maxEmailChanges: 0 },
      "refused by acronis:maxEmailChanges",
    ],
  ])("%s", async (_name, before, after, refusal) => {
    const applied = await stack.up(await instanceProgram(before, "fresh@old.example.com"));
    expect(failures(applied)).toEqual([]);
    await stack.emulator.control.resetRequests();

    // As examples/ci runs it: `up --refresh`, a preview then the update.
    const result = await stack.up(await instanceProgram(after, "fresh@new.example.com"), {
      refresh: true,
    });
    expect(errorsOf(result).join("\n")).toContain(refusal);
    expect((await stack.emulator.control.requests()).counts[PUT_USER]).toBeUndefined();
    expect(stack.engine.resource("fresh")?.inputs.email).toBe("fresh@old.example.com");
  });
});

describe("rotating the API client's secret, with the CI flow of examples/ci", () => {
  it("credentials in ACRONIS_* variables (as examples/ci passes them): the next run is green", async () => {
    // The stack config holds only the datacenter; the credentials come from the CI environment.
    const config = { "acronis:baseUrl": stack.emulator.baseUrl };
    const env = (id: string, secret: string) => ({
      ACRONIS_CLIENT_ID: id,
      ACRONIS_CLIENT_SECRET: secret,
    });
    stack.configure({ config, env: env(CLIENT_ID, CLIENT_SECRET) });
    expect(await ciRun([fresh()])).toEqual([]);
    // The state holds no credential, so nothing stale for a refresh to sign in with.
    expect(JSON.stringify(stack.engine.state)).not.toContain(CLIENT_ID);

    await revokeOldClient();
    stack.configure({ config, env: env(CLIENT_B, SECRET_B) });
    await stack.emulator.control.resetRequests();
    expect(await ciRun([fresh("fresh@new.example.com")])).toEqual([]);
    expect((await stack.emulator.control.requests()).counts[PUT_USER]).toBe(1);
    expect(stack.engine.resource("fresh")?.outputs.email).toBe("fresh@new.example.com");
  });

  it("the secret in the stack config: the refresh names the cause and the command; after it, green", async () => {
    expect(await ciRun([fresh()])).toEqual([]);
    await rotate();

    // The refresh signs in with the stored (revoked) secret: the preview fails, naming why.
    const [failed, ...others] = await ciRun([fresh()]);
    expect(others).toEqual([]);
    expect(failed).toContain(`fresh refresh: UserEmail refresh account ${USERS.fresh}`);
    expect(failed).toContain(`HTTP 401: could not obtain a token for API client ${CLIENT_ID}`);
    expect(failed).toContain("credentials stored in the stack's state by its last update");
    expect(failed).toContain(
      "record the current credentials once with `pulumi up` (without --refresh)",
    );

    // The one command: `pulumi up`, no --refresh, records the new config.
    expect(errorsOf(await stack.up([fresh()]))).toEqual([]);
    const stored = stack.engine.resources().find((r) => r.name === "default");
    expect(stored?.inputs["acronis:clientId"]).toBe(CLIENT_B);
    expect(await ciRun([fresh("fresh@new.example.com")])).toEqual([]);
    expect(stack.engine.resource("fresh")?.outputs.email).toBe("fresh@new.example.com");
  });
});

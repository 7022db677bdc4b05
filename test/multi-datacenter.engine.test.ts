import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type * as Pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  TENANTS,
  US5_CLIENT_ID,
  US5_CLIENT_SECRET,
  US5_TENANTS,
  US5_USERS,
  USERS,
} from "../emulator";
import { GET_SEARCH, GET_USER, PUT_USER } from "../emulator/request-keys";
import type { Goal, RunResult } from "../engine/engine";
import { USER_EMAIL_TYPE } from "../engine/workspace";
import { declareGoals, type ProgramBody } from "./support/declare";
import { datacentersForStories, plan, stackForStories } from "./support/stack";

/**
 * One stack, two datacenters: explicit `AcronisProvider` instances (and accounts-file connections)
 * through the real provider host, one host process per instance, each configured with its own
 * inputs. The goals are recorded from the built package's own classes (support/declare.ts), so
 * they are what a program registers, secret markers included.
 */

const PROJECT = "engine-multi-dc";
const PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";
const SECRETS = [DEMO_CLIENT_SECRET, US5_CLIENT_SECRET];

const platform = datacentersForStories();
const stack = stackForStories(() => ({
  name: PROJECT,
  platform: platform.datacenters.eu2,
  // The default provider: eu2 with a WRONG secret, so an instance falling back to the stack's
  // settings would fail to log in.
  config: (baseUrl) => ({
    "acronis:baseUrl": baseUrl,
    "acronis:clientId": DEMO_CLIENT_ID,
    "acronis:clientSecret": "wrong-default-provider-secret",
  }),
  eachStoryFresh: true,
  alsoReset: () => [platform.datacenters.us5],
}));

const eu2 = () => platform.datacenters.eu2;
const us5 = () => platform.datacenters.us5;

/** The program's goals, as its classes register them. */
function declare(body: ProgramBody, config: Record<string, string> = {}): Promise<Goal[]> {
  return declareGoals(
    stack.workspace,
    { project: PROJECT, stack: "test", config, secretKeys: Object.keys(config) },
    body,
  );
}

/** Two instances, one per datacenter, as a program declares them; the secrets from config. */
function twoDatacenters(pkg: Parameters<ProgramBody>[0], pulumi: typeof Pulumi) {
  const config = new pulumi.Config();
  return {
    eu2: new pkg.AcronisProvider("eu2", {
      baseUrl: eu2().baseUrl,
      clientId: DEMO_CLIENT_ID,
      // Plain text on purpose: the class stores it as a secret all the same.
      clientSecret: config.require("eu2Secret"),
    }),
    us5: new pkg.AcronisProvider("us5", {
      baseUrl: us5().baseUrl,
      clientId: US5_CLIENT_ID,
      clientSecret: config.requireSecret("us5Secret"),
      maxConcurrentRequests: 4,
    }),
  };
}

const SECRET_CONFIG = {
  [`${PROJECT}:eu2Secret`]: DEMO_CLIENT_SECRET,
  [`${PROJECT}:us5Secret`]: US5_CLIENT_SECRET,
};

async function puts(dc: "eu2" | "us5"): Promise<number> {
  return (await platform.datacenters[dc].control.requests()).counts[PUT_USER] ?? 0;
}

function failuresOf(result: RunResult): string[] {
  return result.steps.filter((s) => !s.ok).map((s) => `${s.name}: ${s.error}`);
}

describe("two datacenters in one stack", () => {
  // A long story: preview, up, preview, refresh (a preview and an execution), up; each starts processes.
  it("preview, up, pending confirmation in each, refresh: each account through its own datacenter", async () => {
    const goals = await declare((pkg, pulumi) => {
      const providers = twoDatacenters(pkg, pulumi);
      const email = (
        name: string,
        userId: string,
        address: string,
        provider: Pulumi.ProviderResource,
      ) => new pkg.UserEmail(name, { userId, email: address, resendAfter: "1h" }, { provider });
      return [
        email("alice", USERS.alice, "alice@new.example.com", providers.eu2),
        email("grace", US5_USERS.grace, "grace@new.example.com", providers.us5),
        email("heidi", US5_USERS.heidi, "heidi@new.example.com", providers.us5),
      ];
    }, SECRET_CONFIG);

    // What the program registered: two provider instances, the secret marked secret, and
    // UserEmails whose serialized provider is the usual one, pointing at their instance.
    const [eu2Goal, us5Goal] = goals.filter((g) => g.type === PROVIDER_TYPE);
    expect(eu2Goal).toMatchObject({
      name: "eu2",
      inputs: { "acronis:providerName": "eu2", "acronis:baseUrl": eu2().baseUrl },
      secretInputs: ["acronis:clientSecret"],
    });
    expect(us5Goal).toMatchObject({
      name: "us5",
      inputs: { "acronis:maxConcurrentRequests": "4" },
      secretInputs: ["acronis:clientSecret"],
    });
    const byName = Object.fromEntries(goals.map((g) => [g.name, g]));
    expect(byName.alice?.provider).toBe(stack.engine.urn({ name: "eu2", type: PROVIDER_TYPE }));
    expect(byName.grace?.provider).toBe(stack.engine.urn({ name: "us5", type: PROVIDER_TYPE }));
    for (const name of ["alice", "grace", "heidi"]) {
      expect(byName[name]?.type).toBe(USER_EMAIL_TYPE);
      expect(byName[name]?.inputs.__provider).toBe(stack.workspace.providerText);
    }

    // preview: one host per instance, none for the default provider; nothing written.
    const previewed = await stack.preview(goals);
    expect(plan(previewed)).toEqual({
      eu2: "create",
      us5: "create",
      alice: "create",
      grace: "create",
      heidi: "create",
    });
    expect(previewed.hosts).toBe(2);
    expect((await puts("eu2")) + (await puts("us5"))).toBe(0);

    // up: each account changed in its own datacenter.
    expect(failuresOf(await stack.up(goals))).toEqual([]);
    expect(await puts("eu2")).toBe(1);
    expect(await puts("us5")).toBe(2);
    const outputs = (name: string) => stack.engine.resource(name)?.outputs ?? {};
    expect(outputs("alice")).toMatchObject({
      status: "pendingConfirmation",
      tenantId: TENANTS.alpha,
    });
    expect(outputs("grace")).toMatchObject({
      status: "pendingConfirmation",
      tenantId: US5_TENANTS.gamma,
    });
    expect(outputs("heidi")).toMatchObject({
      status: "synced",
      liveEmail: "heidi@new.example.com",
    });
    expect((await eu2().control.outbox()).map((m) => m.userId)).toEqual([USERS.alice]);
    expect((await us5().control.outbox()).map((m) => m.userId)).toEqual([US5_USERS.grace]);
    expect(stack.engine.resource("grace")?.provider).toBe(us5Goal && stack.engine.urn(us5Goal));

    // preview while both confirmations are pending: drift in each datacenter, one line each.
    stack.output.length = 0;
    expect(plan(await stack.preview(goals))).toMatchObject({
      alice: "update",
      grace: "update",
      heidi: "same",
    });
    const pending = stack.consoleLines.filter((l) => l.includes("pending since"));
    expect(pending.map((l) => l.match(/account (\S+):/)?.[1]).sort()).toEqual(
      [USERS.alice, US5_USERS.grace].sort(),
    );

    // Grace confirms in us5; refresh reads each account from its own datacenter.
    const [graceMail] = await us5().control.outbox();
    if (!graceMail) throw new Error("no mail for grace");
    await us5().control.confirm(graceMail);
    // Each Read is followed by a Diff (step.go RefreshStep.Apply): alice, still pending, shows as
    // an update; grace (now confirmed) and heidi as unchanged.
    expect(plan(await stack.refresh())).toEqual({
      alice: "update",
      grace: "same",
      heidi: "same",
    });
    expect(outputs("grace")).toMatchObject({
      status: "synced",
      liveEmail: "grace@new.example.com",
    });
    expect(outputs("alice")).toMatchObject({ status: "pendingConfirmation" });

    // up within resendAfter: nothing sent anywhere; alice still pending.
    const again = await stack.up(goals);
    expect(failuresOf(again)).toEqual([]);
    expect(plan(again)).toMatchObject({ alice: "update", grace: "same", heidi: "same" });
    expect(await puts("eu2")).toBe(1);
    expect(await puts("us5")).toBe(2);

    // The secrets: only as secrets in the instances' state; nowhere in outputs, logs or the
    // serialized provider.
    const state = stack.engine.state;
    for (const name of ["eu2", "us5"]) {
      const stored = state.resources.find((r) => r.name === name);
      expect(stored?.inputs["acronis:clientSecret"]).toMatchObject({
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      });
    }
    const visible = [
      JSON.stringify(state),
      JSON.stringify(again.steps),
      stack.output.map((o) => o.line).join("\n"),
      stack.workspace.providerText,
    ].join("\n");
    for (const secret of SECRETS) expect(visible).not.toContain(secret);
  });

  it("an account of eu2 declared under us5's provider fails with us5's 404, naming the account and the instance", async () => {
    const goals = await declare((pkg, pulumi) => {
      const { us5: provider } = twoDatacenters(pkg, pulumi);
      return [
        new pkg.UserEmail(
          "misplaced",
          { userId: USERS.alice, email: "alice@new.example.com" },
          { provider },
        ),
      ];
    }, SECRET_CONFIG);
    const result = await stack.up(goals);
    expect(failuresOf(result)).toEqual([
      `misplaced: UserEmail create account ${USERS.alice} via AcronisProvider "us5": account ${USERS.alice} was not found: check the userId; an account deleted on the platform leaves the stack with \`pulumi refresh\``,
    ]);
    // Asked of us5, which does not know it; eu2 was never asked.
    expect((await us5().control.requests()).counts[GET_USER]).toBeGreaterThan(0);
    expect((await eu2().control.requests()).total).toBe(0);
    expect((await eu2().control.getUser(USERS.alice)).contact.email).toBe("alice@alpha.example");
  });

  it("a half-configured instance fails its preview naming the instance and the argument, never falling back to ACRONIS_* or stack config", async () => {
    // Everything the instance lacks is in the environment and the stack config: it must not use them.
    stack.configure({
      env: {
        ACRONIS_BASE_URL: us5().baseUrl,
        ACRONIS_CLIENT_ID: US5_CLIENT_ID,
        ACRONIS_CLIENT_SECRET: US5_CLIENT_SECRET,
      },
      config: {
        "acronis:baseUrl": us5().baseUrl,
        "acronis:clientId": US5_CLIENT_ID,
        "acronis:clientSecret": US5_CLIENT_SECRET,
      },
    });
    const goals = await declare((pkg, pulumi) => {
      const provider = new pkg.AcronisProvider("us5", {
        baseUrl: us5().baseUrl,
        clientId: US5_CLIENT_ID,
        // e.g. a stack reference output that turned out empty
        clientSecret: pulumi.output(undefined as unknown as string),
      });
      return [
        new pkg.UserEmail(
          "grace",
          { userId: US5_USERS.grace, email: "grace@new.example.com" },
          { provider },
        ),
      ];
    });
    const result = await stack.preview(goals);
    expect(failuresOf(result)).toEqual([
      `grace: UserEmail check account ${US5_USERS.grace}: AcronisProvider "us5": clientSecret is not set (an AcronisProvider takes its settings from its own arguments only, never from stack config or ACRONIS_* variables)`,
    ]);
    expect((await us5().control.requests()).total).toBe(0);
  });
});

describe("an accounts file with a connection", () => {
  it("declares one provider per used connection, resolves logins through it, and applies each account in its datacenter", async () => {
    const file = path.join(stack.workspace.dir, "accounts.multi.yaml");
    writeFileSync(
      file,
      [
        "connections:",
        "  us5:",
        `    baseUrl: ${us5().baseUrl}`,
        `    clientId: ${US5_CLIENT_ID}`,
        "  unused:",
        "    baseUrl: https://eu9-cloud.acronis.com/api/2",
        "    clientId: nobody",
        "accounts:",
        `  - id: ${USERS.bob}`,
        "    email: bob@new.example.com",
        "  - login: dave",
        `    tenant: ${TENANTS.beta}`,
        "    email: dave@new.example.com",
        "  - login: heidi",
        `    tenant: ${US5_TENANTS.partner}`,
        "    email: heidi@new.example.com",
        "    connection: us5",
        `  - id: ${US5_USERS.judy}`,
        "    email: judy@new.example.com",
        "    connection: us5",
      ].join("\n"),
    );
    // The stack's own credentials (the default provider, eu2); the connection's secret set with
    // `pulumi config set --secret --path 'acronis:connections.us5.clientSecret'`.
    const config = {
      "acronis:baseUrl": eu2().baseUrl,
      "acronis:clientId": DEMO_CLIENT_ID,
      "acronis:clientSecret": DEMO_CLIENT_SECRET,
      "acronis:connections": JSON.stringify({ us5: { clientSecret: US5_CLIENT_SECRET } }),
      "acronis:allowedEmailDomains": "new.example.com",
    };
    stack.configure({ config, secretKeys: ["acronis:connections"] });
    const goals = await declare(async (pkg) => {
      const declared = await pkg.userEmailsFromFile(file, { env: {} });
      return declared.map((d) => d.resource);
    }, config);

    // One login search in each datacenter, each with its own client.
    const searches = async (dc: "eu2" | "us5") =>
      (await platform.datacenters[dc].control.requests()).counts[GET_SEARCH] ?? 0;
    expect(await searches("eu2")).toBe(1);
    expect(await searches("us5")).toBe(1);

    const providers = goals.filter((g) => g.type === PROVIDER_TYPE);
    expect(providers.map((g) => g.name)).toEqual(["acronis-us5"]);
    expect(providers[0]).toMatchObject({
      inputs: {
        "acronis:providerName": "acronis-us5",
        "acronis:baseUrl": us5().baseUrl,
        "acronis:clientId": US5_CLIENT_ID,
        // The stack's other settings hold for the connection too.
        "acronis:allowedEmailDomains": "new.example.com",
      },
      secretInputs: ["acronis:clientSecret"],
    });
    const providerUrn = stack.engine.urn({ name: "acronis-us5", type: PROVIDER_TYPE });
    const accounts = goals.filter((g) => g.type === USER_EMAIL_TYPE);
    expect(
      Object.fromEntries(accounts.map((g) => [g.inputs.userId, g.provider ?? "default"])),
    ).toEqual({
      [USERS.bob]: "default",
      [USERS.dave]: "default",
      [US5_USERS.heidi]: providerUrn,
      [US5_USERS.judy]: providerUrn,
    });

    const result = await stack.up(goals);
    expect(failuresOf(result)).toEqual([]);
    expect(result.hosts).toBe(4); // preview and update: the default provider and acronis-us5
    for (const id of [USERS.bob, USERS.dave]) {
      expect((await eu2().control.getUser(id)).contact.email).toMatch(/@new\.example\.com$/);
    }
    for (const id of [US5_USERS.heidi, US5_USERS.judy]) {
      expect((await us5().control.getUser(id)).contact.email).toMatch(/@new\.example\.com$/);
    }
    const stored = stack.engine.state.resources.find((r) => r.name === "acronis-us5");
    expect(JSON.stringify(stored)).not.toContain(US5_CLIENT_SECRET);
  });
});

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  createActivatedAccount,
  DATACENTERS,
  type OutboxMail,
  type RunningEmulator,
  startDatacenters,
  US5_CLIENT_ID,
  US5_CLIENT_SECRET,
  US5_TENANTS,
  US5_USERS,
} from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { collectGoals } from "../engine/declarations";
import {
  Engine,
  failures,
  type Goal,
  type Op,
  type OutputLine,
  type RunResult,
} from "../engine/engine";
import { ProviderHost } from "../engine/host";
import { languageHostProgram, readProjectFile } from "../engine/program";
import { REPO_ROOT, USER_EMAIL_TYPE } from "../engine/workspace";
import { formatRun, Progress } from "./report";

/**
 * `npm start`: the root program run end to end on the embedded emulator, as a platform engineer
 * would run it with the Pulumi CLI: preview, up, wait for a user to open a confirmation link,
 * preview and up again until nothing is left to do. The platform is two datacenters: the stack's
 * own (`eu2`) and a second one (`us5`) reached through a connection of the accounts file, with an
 * explicit provider instance and a provider process of its own. Like `pulumi preview` and `pulumi up` in this
 * repository, each command runs the program in place (Pulumi.yaml's `main`, index.ts) under the
 * SDK's own runner, and the provider host starts in the same directory. Each step's outcome is
 * checked against what the seed and accounts.yaml imply; the exit code is 0 only when every step
 * behaved.
 */

const STACK = "demo";

class DemoFailure extends Error {
  override name = "DemoFailure";
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new DemoFailure(what);
}

const print = (line = "") => process.stdout.write(`${line}\n`);

function banner(text: string): void {
  print();
  print(`━━ ${text} ${"━".repeat(Math.max(3, 92 - text.length))}`);
}

type Datacenter = keyof typeof DATACENTERS;

interface Account {
  name: string;
  datacenter: Datacenter;
  userId: string;
  login: string;
  /** The address the file asks for (already normalised by the loader). */
  desired: string;
  activated: boolean;
  /** Whether the platform already held the desired address before the first `up`. */
  alreadyRight: boolean;
}

async function main(): Promise<void> {
  const started = performance.now();
  banner("1. Platform: two embedded Acronis datacenters");
  const { datacenters, close } = await startDatacenters(DEMO_PLATFORM);
  const dcOf = (a: Pick<Account, "datacenter">) => datacenters[a.datacenter];
  const both = Object.entries(datacenters) as [Datacenter, RunningEmulator][];
  try {
    // grace is no seed entry: she gets her account as on the platform, through its public API.
    const grace = await createActivatedAccount({
      baseUrl: datacenters.us5.baseUrl,
      clientId: US5_CLIENT_ID,
      clientSecret: US5_CLIENT_SECRET,
      ...API_BUILT_GRACE,
    });
    for (const [name, dc] of both) {
      const users = [
        ...(DEMO_PLATFORM[name].seed.users ?? []),
        ...(name === "us5" ? [{ activated: true }] : []),
      ];
      print(
        `${name} at ${dc.baseUrl}: ${users.length} accounts, ` +
          `${users.filter((u) => u.activated).length} activated (an email change needs the user's confirmation), ` +
          `${users.filter((u) => !u.activated).length} not activated (the change applies at once).`,
      );
    }
    print(
      `us5: ${grace.login} was created and activated through the public API (${grace.calls.length} calls: check_login, POST /users, send-activation-email, the mailed link opened).`,
    );

    banner("2. Program: accounts.yaml -> one UserEmail per entry, us5's through its connection");
    const project = readProjectFile(path.join(REPO_ROOT, "Pulumi.yaml"));
    const accountsFile = writeDemoAccounts(datacenters.us5.baseUrl);
    // What `pulumi config set` would have put in Pulumi.demo.yaml (the secrets with --secret).
    const config = {
      ...demoStackConfig(project, datacenters.eu2.baseUrl),
      [`${project.name}:accountsFile`]: accountsFile,
      "acronis:connections": JSON.stringify({ us5: { clientSecret: US5_CLIENT_SECRET } }),
    };
    const secretKeys = ["acronis:clientSecret", "acronis:connections"];
    const searchCounts = async () => {
      const [eu2, us5] = await Promise.all(
        [datacenters.eu2, datacenters.us5].map(async (dc) => await dc.control.requests()),
      );
      return { eu2: eu2?.counts[SEARCH] ?? 0, us5: us5?.counts[SEARCH] ?? 0 };
    };
    const before = await searchCounts();
    const declared = (
      await collectGoals({
        dir: REPO_ROOT,
        project: project.name,
        stack: STACK,
        config,
        secretKeys,
      })
    ).goals;
    const goals = declared.filter((g) => g.type === USER_EMAIL_TYPE);
    const after = await searchCounts();
    const accounts = await describeAccounts(datacenters, goals);
    expect(
      goals.length === 7 && declared.length === 8,
      `the program declared ${goals.length} accounts and ${declared.length - goals.length} provider instances; the file has 7 entries, 1 connection`,
    );
    expect(
      after.eu2 - before.eu2 === 3 && after.us5 - before.us5 === 1,
      `logins should be searched in their own datacenter (3 in eu2, 1 in us5), were ${after.eu2 - before.eu2} and ${after.us5 - before.us5}`,
    );
    print(
      `Declared ${goals.length} UserEmail resources (4 logins resolved with GET /search, each in its datacenter) and one AcronisProvider for us5; names come from the account id:`,
    );
    for (const a of accounts) print(`    ${a.name}  ${a.datacenter}  ${a.login}`);

    // Every line the provider processes print: Pulumi shows them as diagnostics.
    const output: OutputLine[] = [];
    const progress = new Progress(print);
    const engine = new Engine({
      project: project.name,
      stack: STACK,
      stackConfig: () => ({ values: config, secretKeys }),
      startHost: ProviderHost.starter({ cwd: REPO_ROOT, project: project.name, config, output }),
      onStep: (step) => progress.step(step),
    });
    // Each deployment runs the program again, under the SDK's runner, as the CLI does.
    const program = languageHostProgram({
      dir: REPO_ROOT,
      project: project.name,
      stack: STACK,
      config,
      secretKeys,
    });
    const labels = new Map(accounts.map((a) => [a.name, a.login]));

    const run = async (kind: "preview" | "up"): Promise<RunResult> => {
      const lineCount = output.length;
      print();
      progress.start(kind, declared.length);
      const result = await engine[kind](program);
      progress.stop();
      // Let the host's last console lines arrive before printing them.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const diagnostics = output.slice(lineCount).map((o) => o.line);
      print(formatRun(result, STACK, { labels, finishedAt: progress.finishedAt, diagnostics }));
      const failed = failures(result);
      expect(
        failed.length === 0,
        `${kind} failed for ${failed.map((s) => `${s.name}: ${s.error}`).join("; ")}`,
      );
      return result;
    };
    const opsOf = (result: RunResult, op: Op) =>
      result.steps
        .filter((s) => s.op === op && s.urn.includes(USER_EMAIL_TYPE))
        .map((s) => s.name)
        .sort();
    const names = (list: Account[]) => list.map((a) => a.name).sort();
    // The email-change confirmations (grace's activation mail is part of the set-up).
    const outbox = async () =>
      (await Promise.all(both.map(([, dc]) => dc.control.outbox())))
        .flat()
        .filter((m) => m.kind === "email-change");
    const mailCount = async () => (await outbox()).length;
    const putCount = async () => {
      const counts = await Promise.all(both.map(([, dc]) => dc.control.requests()));
      return counts.reduce((n, c) => n + (c.counts["PUT /api/2/users/{id}"] ?? 0), 0);
    };

    const mustConfirm = accounts.filter((a) => a.activated && !a.alreadyRight);
    const changeAtOnce = accounts.filter((a) => !a.activated && !a.alreadyRight);

    banner("3. pulumi preview: every account is new to the stack");
    const preview1 = await run("preview");
    expect(
      opsOf(preview1, "create").length === accounts.length,
      `preview should plan ${accounts.length} creates, planned ${opsOf(preview1, "create").length}`,
    );
    expect((await putCount()) === 0, "preview must not change anything on the platform");

    banner("4. pulumi up: adopt the accounts and ask for the new addresses");
    const up1 = await run("up");
    expect(opsOf(up1, "create").length === accounts.length, "up should create every resource");
    printStatus(engine, accounts);
    expectStatuses(engine, accounts, new Set(names(mustConfirm)));
    const mails = await outbox();
    expect(
      mails.length === mustConfirm.length &&
        mustConfirm.every((a) =>
          mails.some((m) => m.userId === a.userId && m.requestedEmail === a.desired),
        ),
      `expected one confirmation mail per activated account (${mustConfirm.length}), found ${mails.length}`,
    );
    expect(
      (await putCount()) === mustConfirm.length + changeAtOnce.length,
      "up should send exactly one PUT per account whose email differs",
    );

    banner("5. Pending confirmations (mailed to each account's current address)");
    for (const mail of mails) {
      const account = accounts.find((a) => a.userId === mail.userId);
      print(
        `    ${account?.login ?? mail.userId} (${account?.datacenter}): link for ${mail.requestedEmail} sent ${mail.sentAt}, not opened yet`,
      );
    }

    banner("6. pulumi preview / up while confirmations are pending");
    print(
      "The preview shows each pending account as `~ update` (the platform still has the old address);\n" +
        "`up` records it as still pending and sends nothing new until resendAfter has passed.",
    );
    const preview2 = await run("preview");
    expect(
      same(opsOf(preview2, "update"), names(mustConfirm)),
      `preview should show exactly the pending accounts as updates, showed ${opsOf(preview2, "update").join(", ")}`,
    );
    const putsBefore = await putCount();
    await run("up");
    expect((await mailCount()) === mails.length, "up must not send a new link before resendAfter");
    expect((await putCount()) === putsBefore, "up must not PUT while a confirmation is pending");
    expectStatuses(engine, accounts, new Set(names(mustConfirm)));

    const pending = [...mails];
    let round = 7;
    while (pending.length > 0) {
      const mail = pending.shift() as OutboxMail;
      const account = accounts.find((a) => a.userId === mail.userId) as Account;
      banner(`${round++}. ${account.login} opens the confirmation link`);
      const opened = await dcOf(account).control.confirm(mail);
      expect(opened.ok, `opening ${account.login}'s link answered HTTP ${opened.status}`);
      print(`    ${account.login}: link opened; the platform now holds the new address.`);
      const stillPending = mustConfirm.filter((a) => pending.some((m) => m.userId === a.userId));

      const preview = await run("preview");
      expect(
        same(opsOf(preview, "update"), names([account, ...stillPending])),
        "preview should show the confirmed account (to record it) and the still pending ones",
      );
      const puts = await putCount();
      await run("up");
      expect((await putCount()) === puts, "recording a confirmation must not PUT again");
      printStatus(engine, accounts);
      expectStatuses(engine, accounts, new Set(names(stillPending)));
    }

    banner(`${round}. pulumi preview: the stack is clean`);
    const last = await run("preview");
    expect(
      last.steps.every((s) => s.op === "same"),
      `the final preview should show no changes, showed ${last.steps
        .filter((s) => s.op !== "same")
        .map((s) => `${s.name} ${s.op}`)
        .join(", ")}`,
    );
    expect(
      (await mailCount()) === mails.length,
      "no confirmation link should have been sent twice",
    );

    print();
    print(
      `✓ Every step behaved as expected (${((performance.now() - started) / 1000).toFixed(1)}s). ` +
        `${accounts.length} accounts in 2 datacenters synced: ${changeAtOnce.length} changed at once, ` +
        `${mustConfirm.length} after confirmation, ${accounts.length - changeAtOnce.length - mustConfirm.length} already right.`,
    );
  } finally {
    await close();
  }
}

const SEARCH = "GET /api/2/search";

/** grace of us5, as `us5Seed` has her, but created through the API at set-up. */
const API_BUILT_GRACE = {
  tenantId: US5_TENANTS.gamma,
  login: "grace",
  email: "grace@gamma.example",
  firstname: "Grace",
  lastname: "Gale",
};

/** The demo's datacenters: us5 without grace, whom the set-up creates through the API. */
const DEMO_PLATFORM = {
  eu2: DATACENTERS.eu2,
  us5: {
    ...DATACENTERS.us5,
    seed: {
      ...DATACENTERS.us5.seed,
      users: DATACENTERS.us5.seed.users.filter((u) => u.id !== US5_USERS.grace),
    },
  },
};

/**
 * The root accounts.yaml with a second datacenter: a `connections:` entry for us5 (its base URL
 * is the emulator's, known only now) and two of its accounts. Written under .tmp/, named by the
 * stack's `accountsFile` setting, as a team would keep a file per stack.
 */
function writeDemoAccounts(us5BaseUrl: string): string {
  const root = readFileSync(path.join(REPO_ROOT, "accounts.yaml"), "utf8").trimEnd();
  const text = [
    "connections:",
    "  us5:",
    `    baseUrl: ${us5BaseUrl}`,
    `    clientId: ${US5_CLIENT_ID}`,
    root,
    "",
    "  # In the second datacenter, under its own API client (its secret: stack config",
    "  # acronis:connections.us5.clientSecret).",
    "  - login: grace # activated",
    `    tenant: ${US5_TENANTS.gamma}`,
    "    email: grace.gale@gamma-corp.example",
    "    connection: us5",
    `  - id: ${US5_USERS.heidi} # heidi, not activated`,
    "    email: heidi.hart@gamma-corp.example",
    "    connection: us5",
    "",
  ].join("\n");
  const relative = path.join(".tmp", "demo", "accounts.yaml");
  mkdirSync(path.join(REPO_ROOT, ".tmp", "demo"), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, relative), text);
  return relative;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function describeAccounts(
  datacenters: Record<Datacenter, RunningEmulator>,
  goals: Goal[],
): Promise<Account[]> {
  return Promise.all(
    goals.map(async (goal) => {
      const userId = String(goal.inputs.userId);
      const desired = String(goal.inputs.email);
      // An account declared with `connection: us5` is managed by that connection's instance.
      const datacenter: Datacenter = goal.provider?.endsWith("::acronis-us5") ? "us5" : "eu2";
      const user = await datacenters[datacenter].control.getUser(userId);
      expect(goal.name === `user-${userId}`, `${goal.name} is not named after its account`);
      return {
        name: goal.name,
        datacenter,
        userId,
        login: user.login,
        desired,
        activated: user.activated,
        alreadyRight: user.contact.email.toLowerCase() === desired.toLowerCase(),
      };
    }),
  ).then((list) =>
    list.sort((a, b) => a.datacenter.localeCompare(b.datacenter) || a.login.localeCompare(b.login)),
  );
}

function printStatus(engine: Engine, accounts: Account[]): void {
  print();
  print("Accounts:");
  for (const a of accounts) {
    const out = engine.resource(a.name)?.outputs ?? {};
    const status = String(out.status ?? "unknown");
    const detail =
      status === "pendingConfirmation"
        ? `link sent ${String(out.confirmationRequestedAt)}; the user has not opened it`
        : status === "synced"
          ? `platform holds the desired address (version ${String(out.version)})`
          : "the platform holds another address";
    print(`    ${a.login.padEnd(8)} ${a.datacenter}  ${status.padEnd(20)} ${detail}`);
  }
}

function expectStatuses(engine: Engine, accounts: Account[], pendingNames: Set<string>): void {
  for (const a of accounts) {
    const status = engine.resource(a.name)?.outputs.status;
    const want = pendingNames.has(a.name) ? "pendingConfirmation" : "synced";
    expect(status === want, `${a.login} should be ${want}, is ${String(status)}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `\n✗ npm start failed: ${message}\n${error instanceof DemoFailure ? "" : `${(error as Error).stack ?? ""}\n`}`,
    );
    process.exit(1);
  },
);

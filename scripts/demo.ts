import * as path from "node:path";
import {
  createActivatedAccount,
  type OutboxMail,
  type RunningEmulator,
  startDatacenters,
  US5_CLIENT_ID,
  US5_CLIENT_SECRET,
} from "../emulator";
import { demoStackConfig } from "../emulator/demo-stack-config";
import { collectGoals } from "../engine/declarations";
import { readProjectFile } from "../engine/program";
import { REPO_ROOT, USER_EMAIL_TYPE } from "../engine/workspace";
import {
  banner,
  DemoFailure,
  expect,
  expectStatuses,
  print,
  printStatus,
  same,
} from "./demo-checks";
import {
  API_BUILT_GRACE,
  type Datacenter,
  DEMO_PLATFORM,
  type DemoAccount,
  describeAccounts,
  writeDemoAccounts,
} from "./demo-platform";
import { DemoStack, opsOf } from "./demo-stack";

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
const SEARCH = "GET /api/2/search";

async function main(): Promise<void> {
  const started = performance.now();
  banner("1. Platform: two embedded Acronis datacenters");
  const { datacenters, close } = await startDatacenters(DEMO_PLATFORM);
  const dcOf = (a: Pick<DemoAccount, "datacenter">) => datacenters[a.datacenter];
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
      `us5: ${grace.login} was created and activated through the public API, ${grace.calls.length} calls: ` +
        grace.calls
          .map((c) => c.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "{id}"))
          .join(", "),
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

    const stack = new DemoStack({
      project: project.name,
      stack: STACK,
      config,
      secretKeys,
      declared: declared.length,
      accounts,
      datacenters: both.map(([, dc]) => dc),
    });
    const { engine } = stack;
    const names = (list: DemoAccount[]) => list.map((a) => a.name).sort();

    const mustConfirm = accounts.filter((a) => a.activated && !a.alreadyRight);
    const changeAtOnce = accounts.filter((a) => !a.activated && !a.alreadyRight);

    banner("3. pulumi preview: every account is new to the stack");
    const preview1 = await stack.run("preview");
    expect(
      opsOf(preview1, "create").length === accounts.length,
      `preview should plan ${accounts.length} creates, planned ${opsOf(preview1, "create").length}`,
    );
    expect((await stack.putCount()) === 0, "preview must not change anything on the platform");

    banner("4. pulumi up: adopt the accounts and ask for the new addresses");
    const up1 = await stack.run("up");
    expect(opsOf(up1, "create").length === accounts.length, "up should create every resource");
    printStatus(engine, accounts);
    expectStatuses(engine, accounts, new Set(names(mustConfirm)));
    const mails = await stack.outbox();
    expect(
      mails.length === mustConfirm.length &&
        mustConfirm.every((a) =>
          mails.some((m) => m.userId === a.userId && m.requestedEmail === a.desired),
        ),
      `expected one confirmation mail per activated account (${mustConfirm.length}), found ${mails.length}`,
    );
    expect(
      (await stack.putCount()) === mustConfirm.length + changeAtOnce.length,
      "up should send exactly one PUT per account whose email differs",
    );

    banner("5. Pending confirmations (mailed to each account's current address)");
    for (const mail of mails) {
      const account = accounts.find((a) => a.userId === mail.userId);
      // The time the stack recorded (the provider's clock, as `up` printed it), not the mail
      // server's, which differs by milliseconds: one link, one time.
      const recorded = account && engine.resource(account.name)?.outputs.confirmationRequestedAt;
      print(
        `    ${account?.login ?? mail.userId} (${account?.datacenter}): link for ${mail.requestedEmail} sent ${String(recorded)}, not opened yet`,
      );
    }

    banner("6. pulumi preview / up while confirmations are pending");
    print(
      "The preview shows each pending account as `~ update` (the platform still has the old address);\n" +
        "`up` records it as still pending and sends nothing new until resendAfter has passed.\n" +
        "Each provider line names the link's time and when `up` would send a new one.",
    );
    const preview2 = await stack.run("preview");
    expect(
      same(opsOf(preview2, "update"), names(mustConfirm)),
      `preview should show exactly the pending accounts as updates, showed ${opsOf(preview2, "update").join(", ")}`,
    );
    const putsBefore = await stack.putCount();
    await stack.run("up");
    expect(
      (await stack.mailCount()) === mails.length,
      "up must not send a new link before resendAfter",
    );
    expect(
      (await stack.putCount()) === putsBefore,
      "up must not PUT while a confirmation is pending",
    );
    expectStatuses(engine, accounts, new Set(names(mustConfirm)));

    const pending = [...mails];
    let round = 7;
    while (pending.length > 0) {
      const mail = pending.shift() as OutboxMail;
      const account = accounts.find((a) => a.userId === mail.userId) as DemoAccount;
      banner(`${round++}. ${account.login} opens the confirmation link`);
      const opened = await dcOf(account).control.confirm(mail);
      expect(opened.ok, `opening ${account.login}'s link answered HTTP ${opened.status}`);
      print(`    ${account.login}: link opened; the platform now holds the new address.`);
      const stillPending = mustConfirm.filter((a) => pending.some((m) => m.userId === a.userId));

      const preview = await stack.run("preview");
      expect(
        same(opsOf(preview, "update"), names([account, ...stillPending])),
        "preview should show the confirmed account (to record it) and the still pending ones",
      );
      const puts = await stack.putCount();
      await stack.run("up");
      expect((await stack.putCount()) === puts, "recording a confirmation must not PUT again");
      printStatus(engine, accounts);
      expectStatuses(engine, accounts, new Set(names(stillPending)));
    }

    banner(`${round}. pulumi preview: the stack is clean`);
    const last = await stack.run("preview");
    expect(
      last.steps.every((s) => s.op === "same"),
      `the final preview should show no changes, showed ${last.steps
        .filter((s) => s.op !== "same")
        .map((s) => `${s.name} ${s.op}`)
        .join(", ")}`,
    );
    expect(
      (await stack.mailCount()) === mails.length,
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

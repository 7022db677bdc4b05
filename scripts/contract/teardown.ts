import { answerValidator } from "../../emulator/openapi/answer-validator";
import type { Platform } from "./platform";
import { type NotRun, type RecordRow, said } from "./rows";

/** The suite's last steps: the spare client's row, then deleting what the run created. */

/** A disabled API client's token answers 401: the spare client, disabled, then enabled again. */
export async function clientRow(p: Platform, record: RecordRow, notRun: NotRun): Promise<void> {
  const name = "a disabled API client's token: 401";
  const spare = p.target.spare;
  if (spare === undefined) {
    notRun(
      "behaviour",
      name,
      "skipped",
      "no spare client (ACRONIS_CONTRACT_SPARE_CLIENT_ID/SECRET)",
    );
    return;
  }
  await record("behaviour", name, async () => {
    const t = await p.tokenFor(spare.clientId, spare.clientSecret);
    const token = t.body?.access_token as string;
    const before = await p.call("GET", "/users/me", undefined, token);
    const off = await p.call("PUT", `/clients/${spare.clientId}`, { status: "disabled" });
    try {
      const after = await p.call("GET", "/users/me", undefined, token);
      return {
        held: before.status === 200 && off.status === 200 && after.status === 401,
        platform: `before: HTTP ${before.status}; disable: HTTP ${off.status}; after: ${said(after)}`,
      };
    } finally {
      await p.call("PUT", `/clients/${spare.clientId}`, { status: "enabled" });
    }
  });
}

/** Every account this run created: disabled, then deleted at its version. */
export async function cleanUp(p: Platform, record: RecordRow): Promise<void> {
  const users = [...p.mine].filter((id) => id !== p.target.spare?.clientId.toLowerCase());
  await record("behaviour", "clean-up: every account the run created is deleted", async () => {
    const left: string[] = [];
    for (const id of users) {
      let u = await p.call("GET", `/users/${id}`);
      if (u.status === 404) continue;
      if (u.body?.enabled) {
        u = await p.call("PUT", `/users/${id}`, { enabled: false, version: u.body.version });
      }
      const d = await p.call("DELETE", `/users/${id}?version=${u.body?.version}`);
      if (d.status !== 204) left.push(`${id} (${said(d)})`);
    }
    return {
      held: left.length === 0,
      platform: left.length ? `left: ${left.join(", ")}` : `${users.length} deleted`,
    };
  });
}

/**
 * Every answer of the run checked against Acronis's published OpenAPI, the shapes the emulator
 * answers in: on a datacenter, a difference is the platform departing from its own schema.
 */
export async function schemaRow(p: Platform, record: RecordRow): Promise<void> {
  const validator = answerValidator();
  await record("guess", "every answer matches the published OpenAPI", async () => {
    const problems = p.exchanges.flatMap((x) =>
      validator.check(x.method, x.path, x.status, x.body ?? undefined),
    );
    const said = [...new Set(problems.map((x) => `${x.operationId} ${x.status}: ${x.problem}`))];
    return {
      held: problems.length === 0,
      platform: problems.length ? said.slice(0, 3).join("; ") : `${p.exchanges.length} answers`,
    };
  });
}

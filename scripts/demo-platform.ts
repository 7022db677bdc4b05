import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  DATACENTERS,
  type RunningEmulator,
  US5_CLIENT_ID,
  US5_TENANTS,
  US5_USERS,
} from "../emulator";
import type { Goal } from "../engine/engine";
import { REPO_ROOT } from "../engine/workspace";
import { expect } from "./demo-checks";

/**
 * The world `npm start` runs in: two datacenters (eu2, the stack's own, and us5 through a
 * connection of the accounts file), the accounts file naming both, and each declared account as
 * the platform holds it before the first `up`.
 */

export type Datacenter = keyof typeof DATACENTERS;

export interface DemoAccount {
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

/** grace of us5, as `us5Seed` has her, but created through the API at set-up. */
export const API_BUILT_GRACE = {
  tenantId: US5_TENANTS.gamma,
  login: "grace",
  email: "grace@gamma.example",
  firstname: "Grace",
  lastname: "Gale",
};

/** The demo's datacenters: us5 without grace, whom the set-up creates through the API. */
export const DEMO_PLATFORM = {
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
export function writeDemoAccounts(us5BaseUrl: string): string {
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

/** Each declared account as its datacenter holds it now, by datacenter then login. */
export async function describeAccounts(
  datacenters: Record<Datacenter, RunningEmulator>,
  goals: Goal[],
): Promise<DemoAccount[]> {
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

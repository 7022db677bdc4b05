import { z } from "zod";

/**
 * Where the contract suite runs: a datacenter (or the emulator standing in for one), the API
 * client it logs in with, and the dedicated test tenant it creates its throw-away accounts in.
 * Optional: a spare API client (disabled and enabled again to see a disabled client's token
 * refused) and a mailbox (the emulator's control surface, to open the links the platform mails;
 * on a real datacenter a person opens them, so those steps report "needs a human").
 */
export interface ContractTarget {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tenantId: string;
  spare?: { clientId: string; clientSecret: string };
  /** Root URL of an emulator's control surface (`…/_emulator/`), whose outbox is the mailbox. */
  mailbox?: string;
}

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

/** The environment variables the command reads, each with what it is for. */
export const CONTRACT_ENV = {
  ACRONIS_BASE_URL: "the datacenter's API base, e.g. https://eu2-cloud.acronis.com/api/2",
  ACRONIS_CLIENT_ID: "an API client allowed to create, change and delete users in the tenant",
  ACRONIS_CLIENT_SECRET: "its secret",
  ACRONIS_CONTRACT_TENANT_ID: "a tenant dedicated to this test: accounts are created there",
  ACRONIS_CONTRACT_SPARE_CLIENT_ID: "optional: an API client the suite may disable and enable",
  ACRONIS_CONTRACT_SPARE_CLIENT_SECRET: "optional: its secret",
  ACRONIS_CONTRACT_MAILBOX: "optional, emulator only: its control URL, to open mailed links",
} as const;

export class ContractRefusal extends Error {
  override name = "ContractRefusal";
}

/**
 * The target the environment names, or a refusal saying what is missing. Without an explicit
 * test tenant the suite does not run at all: it creates and deletes accounts, and must never do
 * so anywhere but a tenant set aside for it.
 */
export function targetFromEnv(env: NodeJS.ProcessEnv): ContractTarget {
  const missing = (["ACRONIS_BASE_URL", "ACRONIS_CLIENT_ID", "ACRONIS_CLIENT_SECRET"] as const)
    .filter((k) => !env[k])
    .map((k) => `${k} (${CONTRACT_ENV[k]})`);
  const tenant = env.ACRONIS_CONTRACT_TENANT_ID;
  if (!tenant) {
    throw new ContractRefusal(
      "refusing to run: ACRONIS_CONTRACT_TENANT_ID is not set. The contract suite creates and " +
        "deletes user accounts; give it a tenant dedicated to this test (its id), and it will " +
        "touch nothing outside the accounts it creates there." +
        (missing.length ? ` Also missing: ${missing.join("; ")}.` : ""),
    );
  }
  if (!uuid.safeParse(tenant).success) {
    throw new ContractRefusal(`refusing to run: ACRONIS_CONTRACT_TENANT_ID '${tenant}' is no UUID`);
  }
  if (missing.length > 0)
    throw new ContractRefusal(`refusing to run: missing ${missing.join("; ")}`);
  const spareId = env.ACRONIS_CONTRACT_SPARE_CLIENT_ID;
  const spareSecret = env.ACRONIS_CONTRACT_SPARE_CLIENT_SECRET;
  if (spareId === env.ACRONIS_CLIENT_ID && spareId) {
    throw new ContractRefusal(
      "refusing to run: the spare client is the suite's own client; it would disable itself",
    );
  }
  return {
    baseUrl: (env.ACRONIS_BASE_URL as string).replace(/\/+$/, ""),
    clientId: env.ACRONIS_CLIENT_ID as string,
    clientSecret: env.ACRONIS_CLIENT_SECRET as string,
    tenantId: tenant.toLowerCase(),
    ...(spareId && spareSecret ? { spare: { clientId: spareId, clientSecret: spareSecret } } : {}),
    ...(env.ACRONIS_CONTRACT_MAILBOX ? { mailbox: env.ACRONIS_CONTRACT_MAILBOX } : {}),
  };
}

import { runContract } from "./contract/suite";
import { contractTable } from "./contract/table";
import { ContractRefusal, targetFromEnv } from "./contract/target";

/**
 * `npm run contract`: the contract suite against the datacenter the environment names
 * (docs/contract.md). Exit 0 when every behaviour held, 1 when one differs, 2 when it refuses
 * to run (no dedicated test tenant, missing credentials).
 */
export async function contractMain(
  env: NodeJS.ProcessEnv,
  out: (text: string) => void,
): Promise<number> {
  let target: ReturnType<typeof targetFromEnv>;
  try {
    target = targetFromEnv(env);
  } catch (e) {
    if (e instanceof ContractRefusal) {
      out(`${e.message}\n`);
      return 2;
    }
    throw e;
  }
  out(`contract suite against ${target.baseUrl}, test tenant ${target.tenantId}\n\n`);
  const rows = await runContract(target, { mailDomain: env.ACRONIS_CONTRACT_MAIL_DOMAIN });
  out(contractTable(rows));
  return rows.some((r) => r.outcome === "differs") ? 1 : 0;
}

if (require.main === module) {
  contractMain(process.env, (t) => process.stdout.write(t)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`contract suite failed: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

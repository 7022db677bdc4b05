import * as pulumi from "@pulumi/pulumi";
import { userEmailsFromFile } from "pulumi-acronis-user-email";

/**
 * Declares one UserEmail per entry of the accounts file (stack config `accountsFile`, default
 * accounts.yaml). The file is validated before anything is declared, and login entries are
 * resolved to ids with the stack's `acronis:*` credentials (or ACRONIS_* environment variables).
 */
export = async () => {
  const file = new pulumi.Config().get("accountsFile") ?? "accounts.yaml";
  const declared = await userEmailsFromFile(file);
  // Status only, keyed by login or id: addresses are personal data and stay out of stack outputs.
  return {
    accounts: Object.fromEntries(declared.map((d) => [d.label, d.resource.status])),
  };
};

import * as pulumi from "@pulumi/pulumi";
import { userEmailsFromFile } from "pulumi-acronis-user-email";

/**
 * One UserEmail per entry of a YAML file. The file is checked as a whole first: every problem is
 * reported with file:line:col and nothing is sent to the platform while it is invalid.
 */
export = async () => {
  const config = new pulumi.Config();
  const declared = await userEmailsFromFile(config.get("accountsFile") ?? "accounts.yaml");
  return {
    accounts: Object.fromEntries(declared.map((d) => [d.label, d.resource.status])),
  };
};

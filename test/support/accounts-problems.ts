import { expect } from "vitest";
import { AccountsFileError, parseAccountsYaml } from "../../provider/accounts-file/accounts";

/** The problems of an accounts file that must be rejected, one string each. */
export function problemsOf(text: string): readonly string[] {
  try {
    parseAccountsYaml(text, "accounts.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(AccountsFileError);
    return (error as AccountsFileError).problems;
  }
  throw new Error("expected the file to be rejected");
}

import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as packageRoot from "../provider";

/**
 * The package root's API, values and types, as a program sees it. The root re-exports its parts'
 * entry files, so a name added to or dropped from one of those changes the public API: this list
 * makes that a deliberate change (with a CHANGELOG line), never a side effect of a refactor.
 */

const ROOT = path.resolve(__dirname, "..");

const PUBLIC_API = [
  "AccountEntry",
  "AccountRef",
  "AccountsFileError",
  "AcronisProvider",
  "AcronisProviderArgs",
  "AcronisProviderError",
  "AcronisProviderSettings",
  "CONNECTIONS_CONFIG_KEY",
  "Connection",
  "ConnectionOptions",
  "ConnectionSettings",
  "DeclareOptions",
  "DeclaredUserEmail",
  "FindUsers",
  "FromFileOptions",
  "Location",
  "PROVIDER_PACKAGE",
  "ResolvedAccount",
  "SECRET_PROVIDER_INPUTS",
  "StackSelection",
  "Status",
  "UserEmail",
  "UserEmailArgs",
  "UserEmailInputs",
  "UserEmailOutputs",
  "acronisProviderInputs",
  "connectionProviderName",
  "connectionSettings",
  "declareConnections",
  "declareUserEmails",
  "domainAllowed",
  "normalizeEmail",
  "parseAccountsYaml",
  "pulumiConfigLookup",
  "resolveAccounts",
  "resourceName",
  "sameEmail",
  "selectStack",
  "stacksOf",
  "userEmailProvider",
  "userEmailsFromFile",
];

describe("the package root", () => {
  it("exports exactly its public API, values and types", () => {
    const index = path.join(ROOT, "provider", "index.ts");
    const program = ts.createProgram([index], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    });
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(index);
    const symbol = file && checker.getSymbolAtLocation(file);
    expect(symbol, "provider/index.ts is a module").toBeDefined();
    const names = checker.getExportsOfModule(symbol as ts.Symbol).map((s) => s.name);
    expect(names.sort()).toEqual([...PUBLIC_API].sort());

    // The values of that list are what `require("pulumi-acronis-user-email")` gives a program.
    const values = Object.keys(packageRoot);
    expect(values.every((name) => PUBLIC_API.includes(name))).toBe(true);
    expect(values).toContain("UserEmail");
  });
});

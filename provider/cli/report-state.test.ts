import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readStackExport, SECRET_SIG, SECRET_SIG_KEY, stateValue } from "./report-state";

/**
 * testdata/stack-export.json is in the exact shape `pulumi stack export` writes: an
 * `UntypedDeployment` `{version: 3, deployment}` whose deployment is a `DeploymentV3` (manifest,
 * secrets_providers, resources, metadata) and whose resources are `ResourceV3` with Go's
 * `omitempty` (pulumi/pulumi at 1b5949891b3c, sdk/go/common/apitype/core.go `UntypedDeployment`,
 * `DeploymentV3`, `ResourceV3`), indented by four spaces as the CLI prints it. It holds the stack
 * resource, the `pulumi-nodejs` default provider and an explicit instance (`acronis-us5`), the
 * default provider of another package (`random`) and its resource, another dynamic provider's
 * `pulumi-nodejs:dynamic:Resource`, and six UserEmails. Secrets are `SecretV1` envelopes
 * (`4dabf18193072939515e22adb298388d` with `ciphertext`), as an export without --show-secrets
 * writes them: the client secret, bob's email (passed as `pulumi.secret`) and frank's login
 * (`additionalSecretOutputs`). erin was written by an older version: no login, tenantId or
 * resendAfter.
 */

const FIXTURE = path.join(__dirname, "testdata", "stack-export.json");
const fixtureText = () => readFileSync(FIXTURE, "utf8");

describe("readStackExport on a `pulumi stack export`", () => {
  it("keeps the UserEmails with their providers and ignores every other resource", () => {
    const state = readStackExport(fixtureText(), "stack-export.json");
    expect(state.stack).toBe("acronis-accounts/prod");
    expect(state.resources).toBe(12);
    expect(state.accounts.map((a) => [a.name, a.provider])).toEqual([
      ["alice", "default"],
      ["bob", "default"],
      ["carol", "acronis-us5"],
      ["dave", "default"],
      ["erin", "default"],
      ["frank", "acronis-us5"],
    ]);
    const bob = state.accounts[1];
    expect(stateValue(bob?.outputs.email)).toEqual({ hidden: true });
    expect(stateValue(bob?.outputs.login)).toEqual({ hidden: false, value: "bob" });
  });

  it("reads a self-managed backend's checkpoint file (VersionedCheckpoint) the same", () => {
    const exported = JSON.parse(fixtureText());
    const checkpoint = {
      version: 3,
      checkpoint: { stack: "organization/acronis-accounts/prod", latest: exported.deployment },
    };
    const state = readStackExport(JSON.stringify(checkpoint), "prod.json");
    expect(state.accounts.map((a) => a.name)).toEqual([
      "alice",
      "bob",
      "carol",
      "dave",
      "erin",
      "frank",
    ]);
  });

  it("skips the old copy of a replaced account (delete: true), reported once by its successor", () => {
    const exported = JSON.parse(fixtureText());
    const alice = exported.deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::alice"),
    );
    exported.deployment.resources.push({
      ...alice,
      delete: true,
      id: "5a0c7e21-4b3d-4f6a-9e1b-0000000000ff",
    });
    const state = readStackExport(JSON.stringify(exported), "replaced.json");
    expect(state.accounts.filter((a) => a.name === "alice")).toHaveLength(1);
    expect(state.accounts.find((a) => a.name === "alice")?.outputs.userId).toBe(alice.id);
  });
});

describe("stateValue: Pulumi's secret envelopes", () => {
  const sig = { [SECRET_SIG_KEY]: SECRET_SIG };
  it.each([
    ["a plain value", "bob", { hidden: false, value: "bob" }],
    ["null", null, { hidden: false, value: null }],
    ["an envelope with ciphertext", { ...sig, ciphertext: "v1:abc" }, { hidden: true }],
    [
      "an envelope with value (the SDKs' form)",
      { ...sig, value: "bob" },
      { hidden: false, value: "bob" },
    ],
    [
      "an envelope with plaintext (--show-secrets)",
      { ...sig, plaintext: '"bob@example.com"' },
      { hidden: false, value: "bob@example.com" },
    ],
    ["an envelope with plaintext that is not JSON", { ...sig, plaintext: "{" }, { hidden: true }],
    ["an envelope with neither", { ...sig }, { hidden: true }],
    [
      "an object with another sig",
      { [SECRET_SIG_KEY]: "other", value: 1 },
      { hidden: false, value: { [SECRET_SIG_KEY]: "other", value: 1 } },
    ],
  ])("%s", (_, raw, expected) => {
    expect(stateValue(raw)).toEqual(expected);
  });
});

const stackUrn = "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod";

describe("readStackExport refuses what is not a stack with accounts, in one line", () => {
  it.each([
    ["an empty file", "", "in.json is empty: expected the JSON `pulumi stack export` writes"],
    ["blank lines", "\n  \n", "in.json is empty"],
    ["not JSON", "hello bob@example.com", "in.json is not JSON: expected the JSON"],
    [
      "JSON broken inside",
      '{"version": 3 "deployment": {}}',
      "in.json is not JSON (invalid at character 14)",
    ],
    [
      "JSON cut short",
      '{"version": 3, "deployment":',
      "in.json is not JSON (it ends before the JSON does)",
    ],
    [
      "a list",
      "[]",
      'in.json is not a Pulumi stack export: expected the JSON `pulumi stack export` writes ({"version": 3, "deployment": {...}}), got a list',
    ],
    [
      "another JSON object",
      '{"name": "x"}',
      'in.json is not a Pulumi stack export: expected the JSON `pulumi stack export` writes ({"version": 3, "deployment": {...}}), got an object with keys name',
    ],
    [
      "version 2",
      '{"version": 2, "deployment": {"resources": []}}',
      "in.json: version 2 is not supported: this report reads version 3",
    ],
    [
      "no version",
      '{"deployment": {}}',
      'in.json is not a Pulumi stack export: expected the JSON `pulumi stack export` writes ({"version": 3, "deployment": {...}}), got an object with keys deployment',
    ],
    [
      "a stack never deployed (null)",
      '{"version": 3, "deployment": null}',
      "in.json holds an empty stack (no deployment yet)",
    ],
    [
      "a checkpoint without latest",
      '{"version": 3, "checkpoint": {"stack": "o/p/s"}}',
      "in.json holds an empty stack (no deployment yet)",
    ],
    [
      "a deployment that is a string",
      '{"version": 3, "deployment": "x"}',
      "in.json: deployment: expected an object, got a string",
    ],
    [
      "resources not a list",
      '{"version": 3, "deployment": {"resources": {}}}',
      "in.json: deployment.resources: expected a list of resources, got an empty object",
    ],
    [
      "an empty stack",
      '{"version": 3, "deployment": {"manifest": {}}}',
      "in.json holds an empty stack (no resources): nothing to report",
    ],
    [
      "an empty resource list",
      '{"version": 3, "deployment": {"resources": []}}',
      "in.json holds an empty stack (no resources)",
    ],
    [
      "a resource without urn",
      '{"version": 3, "deployment": {"resources": [{"type": "t"}]}}',
      "in.json: deployment.resources[0].urn: expected the resource's URN, a string",
    ],
    [
      "a resource that is a number",
      '{"version": 3, "deployment": {"resources": [7]}}',
      "in.json: deployment.resources[0]: ",
    ],
    [
      "a bad URN",
      '{"version": 3, "deployment": {"resources": [{"urn": "x", "type": "t"}]}}',
      'in.json: deployment.resources[0].urn: "x" is not a Pulumi URN',
    ],
    [
      "outputs not an object",
      `{"version": 3, "deployment": {"resources": [{"urn": "${stackUrn}", "type": "t", "outputs": 3}]}}`,
      "in.json: deployment.resources[0].outputs: ",
    ],
    [
      "a stack without accounts",
      `{"version": 3, "deployment": {"resources": [{"urn": "${stackUrn}", "type": "pulumi:pulumi:Stack"}]}}`,
      "in.json holds 1 resource and no UserEmail (type pulumi-nodejs:dynamic/acronis:UserEmail): is it the stack that manages the accounts?",
    ],
  ])("%s", (_, text, message) => {
    let thrown: unknown;
    try {
      readStackExport(text, "in.json");
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error)?.message).toContain(message);
    expect((thrown as Error).message).not.toContain("\n");
    // The text's own content (here an address) is never quoted back.
    expect((thrown as Error).message).not.toContain("bob@example.com");
  });
});

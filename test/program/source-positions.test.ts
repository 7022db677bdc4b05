import { describe, expect, it } from "vitest";
import { resourceBytes } from "../../engine/checkpoint";
import { sourceFields } from "../../engine/source-position";
import { USER_EMAIL_TYPE } from "../../engine/workspace";
import { exampleRegistrations } from "../../scripts/example-registrations";
import { emulatorForStories } from "../support/stack";

/**
 * What the Node SDK sends with every registration and Pulumi keeps in each resource's state: a
 * source position and a stack trace (sdk/nodejs/runtime/resource.ts; pkg/resource/deploy/
 * source_eval.go; pkg/resource/stack/deployment.go `SerializeResource`), measured from what the
 * engine's monitor receives when examples/from-yaml runs under the SDK's own runner.
 */

/** The demo platform: the example's login entries are resolved against it. */
const emulator = emulatorForStories({});

describe("source positions and stack traces", () => {
  it("reach the engine with every registration and are part of each account's bytes in state", async () => {
    const { project, registrations } = await exampleRegistrations(
      "from-yaml",
      "source-positions",
      emulator.baseUrl,
      "test",
    );
    const accounts = registrations.filter((g) => g.type === USER_EMAIL_TYPE);
    expect(accounts.length).toBeGreaterThan(0);

    for (const goal of accounts) {
      const registered = goal.source;
      // Relative to the project root, as source_eval.go `parseSourcePosition` writes it.
      expect(registered?.position).toMatch(/^project:\/\/\/[^#]+\.(js|ts)#\d+(,\d+)?$/);
      expect(registered?.stackTrace.length).toBeGreaterThan(0);
    }

    const [first] = accounts;
    const stored = {
      urn: first?.urn ?? "",
      type: USER_EMAIL_TYPE,
      id: "x",
      inputs: first?.inputs ?? {},
    };
    const resource = { ...stored, outputs: stored.inputs };
    const withSource = {
      ...resource,
      sourcePosition: first?.source?.position,
      stackTrace: first?.source?.stackTrace,
    };
    const options = { project: project.name, stack: "test" };
    const added = resourceBytes(options, withSource).total - resourceBytes(options, resource).total;
    // Exactly the two ResourceV3 fields, with their separating commas.
    const fields = JSON.stringify(sourceFields(withSource));
    expect(added).toBe(Buffer.byteLength(fields) - 2 + 1);
    expect(added).toBeGreaterThan(100);
  });
});

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createWorkspace, REPO_ROOT } from "../engine/workspace";

/**
 * The `__provider` text Pulumi stores in the inputs and outputs of every UserEmail, pinned.
 *
 * It is an input: when its text changes between releases (our entry module, its path in the
 * package, or the SDK's closure serializer), every account's inputs differ on the next `up`, so
 * the engine writes every resource once even where nothing else changed (a same step with new
 * inputs is a meaningful change: pkg/backend/snapshot.go, `sameSnapshotMutation`), and on a
 * self-managed backend each of those writes is the whole checkpoint. A release may do that only
 * on purpose: with this text updated and the CHANGELOG saying so, with the new text's digest.
 */

const PINNED = [
  "exports.handler = __f0;",
  'const provider = require("pulumi-acronis-user-email/dist/provider/entry.js");',
  "",
  "function __f0() {",
  "  return (function() {",
  "    with({ this: undefined, arguments: undefined }) {",
  "",
  "return () => provider;",
  "",
  "    }",
  "  }).apply(undefined, undefined).apply(this, arguments);",
  "}",
  "",
].join("\n");

const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

describe("the serialized provider stored with every account", () => {
  it("is the pinned text: a change rewrites every resource of every stack once", async () => {
    const { providerText } = await createWorkspace("serialized-provider");
    expect(
      providerText,
      "the serialized provider changed: the first `up` after this release rewrites every " +
        "UserEmail in state once. If that is intended, update PINNED and say so in CHANGELOG.md " +
        `(see the next test), with the digest ${digest(providerText)}`,
    ).toBe(PINNED);
  });

  it("is announced in the CHANGELOG with its digest, so a change cannot ship unannounced", () => {
    const changelog = readFileSync(path.join(REPO_ROOT, "CHANGELOG.md"), "utf8");
    const line = `serialized provider sha256:${digest(PINNED)}`;
    expect(
      changelog.includes(line),
      `CHANGELOG.md must contain "${line}" in the entry that says every resource is rewritten once`,
    ).toBe(true);
  });

  it("is a few hundred bytes, whatever the implementation grows to", () => {
    // Stored twice per account (inputs and outputs): 10,000 accounts carry it 20,000 times.
    expect(PINNED.length).toBeLessThan(400);
  });
});

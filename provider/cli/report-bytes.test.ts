import { describe, expect, it } from "vitest";
import { withoutSerializedProviders } from "./report-bytes";

const strip = (text: string) => withoutSerializedProviders(Buffer.from(text));

describe("withoutSerializedProviders", () => {
  it.each([
    ["no provider", '{"a": "b"}', '{"a": "b"}'],
    [
      "a compact member",
      '{"__provider":"exports.x = 1;","email":"e"}',
      '{"__provider":"","email":"e"}',
    ],
    [
      "pretty-printed, in inputs and outputs",
      '{\n    "inputs": {\n        "__provider": "code",\n        "a": 1\n    },\n    "outputs": {\n        "__provider" : "code"\n    }\n}',
      '{\n    "inputs": {\n        "__provider": "",\n        "a": 1\n    },\n    "outputs": {\n        "__provider" : ""\n    }\n}',
    ],
    [
      "escaped quotes and backslashes inside the code",
      String.raw`{"__provider":"require(\"x\"); s = \"a\\\\\"; t = \"\\\"","b":2}`,
      '{"__provider":"","b":2}',
    ],
    [
      "a value ending in an escaped backslash",
      String.raw`{"__provider":"a\\","b":2}`,
      '{"__provider":"","b":2}',
    ],
    [
      "the word as a value, not a key",
      '{"name": "__provider", "x": "y"}',
      '{"name": "__provider", "x": "y"}',
    ],
    [
      "the key quoted inside another string",
      String.raw`{"note": "\"__provider\": \"keep\"", "x": 1}`,
      String.raw`{"note": "\"__provider\": \"keep\"", "x": 1}`,
    ],
    [
      "a value that is not a string",
      '{"__provider": null, "x": 1}',
      '{"__provider": null, "x": 1}',
    ],
    ["a string that never closes", '{"__provider": "abc', '{"__provider": "abc'],
    [
      "text around in UTF-8",
      '{"login": "zoë", "__provider": "é→", "tenant": "ü"}',
      '{"login": "zoë", "__provider": "", "tenant": "ü"}',
    ],
  ])("%s", (_, input, expected) => {
    const out = strip(input);
    expect(out).toBe(expected);
  });

  it("keeps what JSON.parse reads of everything else", () => {
    const state = {
      resources: Array.from({ length: 3 }, (_, i) => ({
        inputs: { __provider: `f${i}("\\"")`, email: `u${i}@example.com` },
        outputs: { __provider: `f${i}`, status: "synced", login: `ü${i}` },
      })),
    };
    const parsed = JSON.parse(strip(JSON.stringify(state, null, 4)));
    expect(parsed.resources.map((r: { outputs: { login: string } }) => r.outputs.login)).toEqual([
      "ü0",
      "ü1",
      "ü2",
    ]);
    expect(parsed.resources[2].inputs).toEqual({ __provider: "", email: "u2@example.com" });
  });
});

import { describe, expect, it } from "vitest";
import { projectPosition, registrationSource } from "./source-position";

/** source_eval.go `parseSourcePosition`, case by case. */
describe("projectPosition", () => {
  it.each([
    ["a file in the project", "file:///p/app/index.ts", 2, 15, "project:///index.ts#2,15"],
    ["no column", "file:///p/app/lib/a.js", 7, 0, "project:///lib/a.js#7"],
    [
      "outside the project, '@' kept as Go's url writes it",
      "file:///p/node_modules/@pulumi/run.ts",
      5,
      1,
      "project:///../node_modules/@pulumi/run.ts#5,1",
    ],
    ["a space escaped", "file:///p/app/my%20file.ts", 1, 2, "project:///my%20file.ts#1,2"],
  ])("%s", (_name, uri, line, column, expected) => {
    expect(projectPosition({ uri, line, column }, "/p/app")).toBe(expected);
  });

  it.each([
    ["another scheme", "node:internal/modules/cjs/loader", 1, 1, 'unrecognized scheme "node:"'],
    ["a negative line", "file:///p/app/a.ts", -1, 0, "invalid line number -1"],
    ["a negative column", "file:///p/app/a.ts", 1, -2, "invalid column number -2"],
  ])("refuses %s", (_name, uri, line, column, message) => {
    expect(() => projectPosition({ uri, line, column }, "/p/app")).toThrow(message);
  });

  it("keeps a frame it cannot parse as an empty one; no source sent, none stored", () => {
    const frame = { uri: "node:internal/x", line: 1, column: 1 };
    const ok = { uri: "file:///p/app/a.ts", line: 3, column: 4 };
    expect(registrationSource(ok, [ok, frame, undefined], "/p/app")).toEqual({
      position: "project:///a.ts#3,4",
      stackTrace: ["project:///a.ts#3,4", "", ""],
    });
    expect(registrationSource(undefined, undefined, "/p/app")).toBeUndefined();
  });
});

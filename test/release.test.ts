import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../engine/workspace";

/**
 * How the package reaches users: the examples install the tarball `npm pack` writes (the README's
 * install path until a release), a version tag publishes it with provenance, and CI asks npm
 * whether it would publish the packed tarball before anyone pushes a tag.
 */

const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
const TARBALL = `${pkg.name}-${pkg.version}.tgz`;

interface Workflow {
  on: Record<string, { tags?: string[]; branches?: string[] } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: { run?: string; uses?: string; env?: Record<string, string> }[] }>;
}

function workflow(name: string): Workflow {
  return parse(readFileSync(path.join(REPO_ROOT, ".github", "workflows", name), "utf8"));
}

function runs(flow: Workflow): string[] {
  return Object.values(flow.jobs).flatMap((job) => job.steps.flatMap((s) => s.run ?? []));
}

describe("the examples", () => {
  const projects = readdirSync(path.join(REPO_ROOT, "examples")).filter((name) =>
    existsSync(path.join(REPO_ROOT, "examples", name, "package.json")),
  );

  it.each(projects)("%s installs the tarball npm pack writes at the root", (name) => {
    const manifest = JSON.parse(
      readFileSync(path.join(REPO_ROOT, "examples", name, "package.json"), "utf8"),
    );
    expect(manifest.dependencies[pkg.name]).toBe(`file:../../${TARBALL}`);
  });
});

describe("the release workflow", () => {
  const flow = workflow("release.yml");

  it("runs on a version tag, and may ask GitHub for the OIDC token provenance is signed with", () => {
    expect(flow.on).toEqual({ push: { tags: ["v*"] } });
    expect(flow.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("tests, checks the tag against the version, then publishes with provenance", () => {
    const steps = runs(flow);
    const at = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s));
    const publish = at(/npm publish --provenance --access public /);
    expect(at(/GITHUB_REF_NAME" != "v\$version"/)).toBeGreaterThanOrEqual(0);
    expect(at(/^\.ci\/run$/)).toBeGreaterThanOrEqual(0);
    expect(at(/^npm pack$/)).toBeGreaterThan(at(/^\.ci\/run$/));
    expect(publish).toBeGreaterThan(at(/^npm pack$/));
    const step = Object.values(flow.jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.run?.includes("npm publish"));
    // GitHub expressions, not JavaScript templates.
    expect(step?.env).toEqual({ NODE_AUTH_TOKEN: ["$", "{{ secrets.NPM_TOKEN }}"].join("") });
  });
});

describe("CI", () => {
  const flow = workflow("ci.yml");

  it("runs the README's two commands and npm publish --dry-run of the packed tarball", () => {
    const steps = runs(flow);
    expect(steps).toContain(".ci/run");
    expect(steps).toContain("npm pack");
    expect(steps.some((s) => /npm publish --dry-run .*"\.\/\$tarball"/.test(s))).toBe(true);
    expect(Object.keys(flow.on).sort()).toEqual(["pull_request", "push"]);
  });
});

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_CLIENT_ID, defaultSeed, TENANTS, USERS } from "./demo-seeds";
import { generatedUserId, generateSeed } from "./generated-seed";
import { GET_USER } from "./request-keys";
import { parseSeed, parseSeedYaml, SeedError } from "./seed";
import { startEmulator } from "./server";
import { api, getToken } from "./test-helpers";

const YAML_SEED = `tenants:
  - id: 10000000-0000-4000-8000-000000000001
    name: Root
  - id: 10000000-0000-4000-8000-000000000002
    name: Child
    parent_id: 10000000-0000-4000-8000-000000000001
clients:
  - client_id: 6e1a2f0c-de70-4c1e-a000-000000000001
    client_secret: s3cret
    tenant_id: 10000000-0000-4000-8000-000000000001
    auth_method: post
users:
  - id: 20000000-0000-4000-8000-000000000001
    login: yaml.user
    email: yaml@example.com
    tenant_id: 10000000-0000-4000-8000-000000000002
    activated: false
    version: 9
`;

describe("seed", () => {
  it("defaultSeed is valid and has the documented shape", () => {
    const s = parseSeed(defaultSeed);
    expect(s.clients[0]?.client_id).toBe(DEMO_CLIENT_ID);
    expect(s.tenants.map((t) => t.id)).toEqual(Object.values(TENANTS));
    expect(s.users).toHaveLength(8);
    expect(s.users.some((u) => u.activated)).toBe(true);
    expect(s.users.some((u) => !u.activated)).toBe(true);
    expect(s.users.find((u) => u.id === USERS.mallory)?.tenant_id).toBe(TENANTS.unrelated);
  });

  it("reports YAML seed errors with line numbers", () => {
    const broken = YAML_SEED.replace("activated: false", "activated: maybe").replace(
      "    name: Child\n",
      "    name: Child\n    colour: red\n",
    );
    let err: unknown;
    try {
      parseSeedYaml(broken, "seed.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SeedError);
    const issues = (err as SeedError).issues;
    expect(
      issues.some((i) => /^seed\.yaml:6:\d+: \.tenants\[1\]/.test(i) && /colour/.test(i)),
    ).toBe(true);
    expect(issues.some((i) => /^seed\.yaml:18:\d+: \.users\[0\]\.activated/.test(i))).toBe(true);
  });

  it("rejects dangling references", () => {
    expect(() =>
      parseSeed({
        tenants: [{ id: TENANTS.partner, name: "P" }],
        users: [
          { id: USERS.bob, login: "b", email: "b@x.y", tenant_id: TENANTS.beta, activated: true },
        ],
      }),
    ).toThrow(/users\[0\]\.tenant_id: unknown tenant/);
  });

  it("starts from a YAML file and honours auth_method post", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emu-seed-"));
    const file = join(dir, "seed.yaml");
    writeFileSync(file, YAML_SEED);
    const emu = await startEmulator({ seed: file, tokenTtlSeconds: 60 });
    try {
      const res = await fetch(`${emu.baseUrl}/idp/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `grant_type=client_credentials&client_id=${DEMO_CLIENT_ID}&client_secret=s3cret`,
      });
      const tok = (await res.json()) as { access_token: string; expires_in: number };
      expect(tok.expires_in).toBe(60);
      const u = await api(emu.baseUrl, tok.access_token, "GET", `/users/${USERS.partnerAdmin}`);
      expect(u.body.login).toBe("yaml.user");
      expect(u.body.version).toBe(9);
    } finally {
      await emu.close();
    }
  });

  it("generates 10,000 users and serves them by id and in batches", async () => {
    // Timing is the bench's business (it serves 10,000 accounts through the host); this counts.
    const seed = generateSeed({ users: 10_000, activatedRatio: 0.3 });
    const emu = await startEmulator({ seed });
    try {
      expect(emu.state.users.size).toBe(10_000);
      const activated = [...emu.state.users.values()].filter((u) => u.activated).length;
      expect(activated).toBe(3000);
      const token = await getToken(emu.baseUrl);
      const ids = Array.from({ length: 100 }, (_, i) => generatedUserId(i + 1));
      const r = await api(emu.baseUrl, token, "GET", `/users?uuids=${ids.join(",")}`);
      expect(r.body.items).toHaveLength(100);
      const reads = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          api(emu.baseUrl, token, "GET", `/users/${generatedUserId(i * 20 + 1)}`),
        ),
      );
      expect(reads.map((r) => r.body.id)).toEqual(
        Array.from({ length: 500 }, (_, i) => generatedUserId(i * 20 + 1)),
      );
      expect((await emu.control.requests()).counts[GET_USER]).toBe(500);
    } finally {
      await emu.close();
    }
  });
});

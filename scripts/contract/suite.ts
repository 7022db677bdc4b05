import { randomBytes, randomUUID } from "node:crypto";
import { Platform } from "./platform";
import { type ContractRow, isCode, rowRecorder, said } from "./rows";
import type { ContractTarget } from "./target";
import { cleanUp, clientRow, schemaRow } from "./teardown";

/**
 * The documented behaviours the provider relies on, and the emulator's guesses, tried against a
 * target: the emulator in `npm test`, a real datacenter with `npm run contract`. The same code
 * runs for both. It creates its own throw-away accounts in the test tenant and deletes them.
 */

export interface ContractOptions {
  /** Domain of the throw-away accounts' addresses; mails to them go nowhere (example.com). */
  mailDomain?: string;
}

export async function runContract(
  target: ContractTarget,
  opts: ContractOptions = {},
): Promise<ContractRow[]> {
  const p = new Platform(target);
  const rows: ContractRow[] = [];
  const { record, notRun } = rowRecorder(rows);

  const run = `contract-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const domain = opts.mailDomain ?? "example.com";
  const address = (who: string, n = 0) => `${run}-${who}${n ? `-${n}` : ""}@${domain}`;
  const T = target.tenantId;

  const loggedIn = await record(
    "behaviour",
    "token: client credentials -> bearer token",
    async () => {
      const a = await p.login();
      const ok = a.status === 200 && typeof a.body?.access_token === "string";
      return {
        held: ok && /^bearer$/i.test(a.body?.token_type ?? ""),
        platform: `HTTP ${a.status}`,
      };
    },
  );
  if (!loggedIn) return rows;
  await record("guess", "bad client credentials: 401 invalid_client", async () => {
    const a = await p.tokenFor(target.clientId, `${target.clientSecret}-not`);
    return { held: a.status === 401 && a.body?.error === "invalid_client", platform: said(a) };
  });

  const create = (who: string) =>
    p.call("POST", "/users", {
      tenant_id: T,
      login: `${run}-${who}`,
      contact: { email: address(who) },
    });
  const read = (id: string) => p.call("GET", `/users/${id}`);

  try {
    // --- create, check_login, read with version ---
    const free = await p.call("GET", `/users/check_login?username=${run}-a`);
    let a: { id: string; version: number } | undefined;
    await record("behaviour", "create: POST /users -> not activated, a version", async () => {
      const r = await create("a");
      if (r.status === 200) {
        a = { id: r.body.id, version: r.body.version };
        p.mine.add(String(r.body.id).toLowerCase());
      }
      const ok = r.status === 200 && r.body.activated === false && Number.isInteger(r.body.version);
      return { held: ok && r.body.tenant_id === T, platform: said(r) };
    });
    if (a === undefined) return rows;
    const A = a;
    await record("behaviour", "check_login: 204 while free, 409 once taken", async () => {
      const taken = await p.call("GET", `/users/check_login?username=${run}-a`);
      return {
        held: free.status === 204 && taken.status === 409,
        platform: `free: HTTP ${free.status}; taken: ${said(taken)}`,
      };
    });
    await record("guess", "POST /users with a taken login: 409", async () => {
      const r = await create("a");
      return { held: r.status === 409, platform: said(r) };
    });
    await record("guess", "POST /users with a 2-character login: 400", async () => {
      const r = await p.call("POST", "/users", {
        tenant_id: T,
        login: "zz",
        contact: { email: address("zz") },
      });
      if (r.status === 200) p.mine.add(String(r.body.id).toLowerCase());
      return { held: r.status === 400, platform: said(r) };
    });
    await record("behaviour", "read: GET /users/{id} with its version", async () => {
      const r = await read(A.id);
      return {
        held:
          r.status === 200 &&
          r.body.version === A.version &&
          r.body.contact?.email === address("a"),
        platform: said(r),
      };
    });

    // --- PUT: not activated changes at once; stale version 409/1001 ---
    await record(
      "behaviour",
      "PUT email of a not activated account: changed at once, version up",
      async () => {
        const r = await p.call("PUT", `/users/${A.id}`, {
          contact: { email: address("a", 1) },
          version: A.version,
        });
        const after = await read(A.id);
        const ok = r.status === 200 && r.body.contact?.email === address("a", 1);
        const bumped =
          after.body?.version > A.version && after.body?.contact?.email === address("a", 1);
        if (after.status === 200) A.version = after.body.version;
        return { held: ok && bumped, platform: said(r) };
      },
    );
    await record("behaviour", "PUT with a stale version: 409, code 1001", async () => {
      const r = await p.call("PUT", `/users/${A.id}`, {
        contact: { email: address("a", 2) },
        version: A.version - 1,
      });
      return { held: r.status === 409 && isCode(r, 1001), platform: said(r) };
    });
    await record("guess", "a PUT that changes nothing keeps the version", async () => {
      const r = await p.call("PUT", `/users/${A.id}`, {
        contact: { email: address("a", 1) },
        version: A.version,
      });
      return { held: r.status === 200 && r.body.version === A.version, platform: said(r) };
    });

    // --- finding accounts ---
    await record("behaviour", "search by login: GET /search finds the account", async () => {
      const r = await p.call("GET", `/search?tenant=${T}&text=${encodeURIComponent(`${run}-a`)}`);
      const hit = (r.body?.items ?? []).find((i: { id: string }) => i.id === A.id);
      return { held: r.status === 200 && hit?.obj_type === "user", platform: said(r) };
    });
    await record("behaviour", "batch read: uuids= answers; more than 100 ids: 400", async () => {
      const one = await p.call("GET", `/users?uuids=${A.id}`);
      const many = Array.from({ length: 101 }, () => randomUUID()).join(",");
      const over = await p.call("GET", `/users?uuids=${many}`);
      return {
        held: one.status === 200 && one.body.items?.[0]?.id === A.id && over.status === 400,
        platform: `1 id: HTTP ${one.status}; 101 ids: ${said(over)}`,
      };
    });
    const b = await create("b");
    if (b.status === 200) p.mine.add(String(b.body.id).toLowerCase());
    await record(
      "behaviour",
      "subtree listing: pages of `limit`, followed by the `after` cursor",
      async () => {
        const seen: string[] = [];
        let r = await p.call("GET", `/users?subtree_root_tenant_id=${T}&limit=1&lod=stamps`);
        const first = r;
        for (let page = 0; r.status === 200 && page < 500; page++) {
          seen.push(...(r.body.items ?? []).map((u: { id: string }) => u.id));
          const after = r.body.paging?.cursors?.after;
          if (!after) break;
          r = await p.call("GET", `/users?after=${encodeURIComponent(after)}`);
        }
        const onePerPage =
          first.body?.items?.length === 1 && Boolean(first.body?.paging?.cursors?.after);
        const all =
          seen.includes(A.id) && seen.includes(b.body?.id) && new Set(seen).size === seen.length;
        return {
          held: onePerPage && all && r.status === 200,
          platform: `${seen.length} accounts; last ${said(r).slice(0, 60)}`,
        };
      },
    );

    // --- activation, and an activated account's email change ---
    const B = { id: b.body?.id as string, version: b.body?.version as number };
    let activated = false;
    await record("behaviour", "activate: send-activation-email 204", async () => {
      const r = await p.call("POST", `/users/${B.id}/send-activation-email`, {});
      return { held: r.status === 204, platform: said(r) };
    });
    const link = await p.openMailedLink(address("b"), "activation");
    if (link === undefined) {
      notRun(
        "behaviour",
        "activate: the mailed link opened activates the account",
        "needs a human",
        `open the activation mail sent to ${address("b")} (set ACRONIS_CONTRACT_MAIL_DOMAIN to a mailbox you read)`,
      );
    } else {
      activated = await record(
        "behaviour",
        "activate: the mailed link opened activates the account",
        async () => {
          const r = await read(B.id);
          if (r.status === 200) {
            await record("guess", "opening the activation link: version +1", async () => ({
              held: r.body.version === B.version + 1,
              platform: `version ${B.version} -> ${r.body.version}`,
            }));
            B.version = r.body.version;
          }
          return {
            held: link === 200 && r.body?.activated === true,
            platform: `link HTTP ${link}; ${said(r).slice(0, 80)}`,
          };
        },
      );
    }
    if (!activated) {
      for (const name of [
        "PUT email of an activated account: unchanged, no pending field, until confirmed",
        "the confirmation link opened: the new email, version +1",
      ]) {
        notRun("behaviour", name, "needs a human", "needs the activated account above");
      }
    } else {
      const wanted = address("b", 1);
      await record(
        "behaviour",
        "PUT email of an activated account: unchanged, no pending field, until confirmed",
        async () => {
          const r = await p.call("PUT", `/users/${B.id}`, {
            contact: { email: wanted },
            version: B.version,
          });
          const got = await read(B.id);
          const listed = await p.call("GET", `/users?uuids=${B.id}`);
          const anywhere = JSON.stringify([r.body, got.body, listed.body]).includes(wanted);
          const unchanged =
            got.body?.contact?.email === address("b") && got.body?.version === B.version;
          return {
            held: r.status === 200 && unchanged && !anywhere,
            platform: said(got).slice(0, 120),
          };
        },
      );
      await record("guess", "send-activation-email of an activated account: 403", async () => {
        const r = await p.call("POST", `/users/${B.id}/send-activation-email`, {});
        return { held: r.status === 403, platform: said(r) };
      });
      const confirmed = await p.openMailedLink(address("b"), "email-change");
      await record(
        "behaviour",
        "the confirmation link opened: the new email, version +1",
        async () => {
          const r = await read(B.id);
          const ok = confirmed === 200 && r.body?.contact?.email === wanted;
          return {
            held: ok && r.body?.version === B.version + 1,
            platform: `link HTTP ${confirmed}; ${said(r).slice(0, 80)}`,
          };
        },
      );
    }

    // --- disable and delete ---
    await record("guess", "DELETE of an enabled account: 400, code 1027", async () => {
      const cur = await read(A.id);
      const r = await p.call("DELETE", `/users/${A.id}?version=${cur.body?.version}`);
      return { held: r.status === 400 && isCode(r, 1027), platform: said(r) };
    });
    await record("behaviour", "disable: PUT enabled=false", async () => {
      const cur = await read(A.id);
      const r = await p.call("PUT", `/users/${A.id}`, {
        enabled: false,
        version: cur.body?.version,
      });
      if (r.status === 200) A.version = r.body.version;
      return {
        held: r.status === 200 && r.body.enabled === false,
        platform: said(r).slice(0, 120),
      };
    });
    await record("guess", "DELETE with a stale version: 409, code 1001", async () => {
      const r = await p.call("DELETE", `/users/${A.id}?version=${A.version - 1}`);
      return { held: r.status === 409 && isCode(r, 1001), platform: said(r) };
    });
    await record("behaviour", "delete: a disabled account at its version, then 404", async () => {
      const r = await p.call("DELETE", `/users/${A.id}?version=${A.version}`);
      const after = await read(A.id);
      await record("guess", "a 404's error.code is the HTTP status (404)", async () => ({
        held: isCode(after, 404),
        platform: said(after),
      }));
      return {
        held: r.status === 204 && after.status === 404,
        platform: `delete HTTP ${r.status}; then ${said(after)}`,
      };
    });
  } finally {
    await clientRow(p, record, notRun);
    await cleanUp(p, record);
    await schemaRow(p, record);
  }
  return rows;
}

import { EmulatorControl } from "./control";

/**
 * Builds an account the way a user's own script does it on the platform, through the public
 * API only: token, check_login, POST /users, send-activation-email, then the user opens the
 * mailed link (the emulator's outbox is the mailbox). For demos and stories that need an
 * activated account that no seed declared.
 */

export interface NewAccount {
  /** http://host:port/api/2 of the emulator. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tenantId: string;
  login: string;
  email: string;
  firstname?: string;
  lastname?: string;
}

export interface BuiltAccount {
  id: string;
  login: string;
  /** The account's version once activated. */
  version: number;
  /** One line per call made, without addresses or credentials ("POST /users -> 200"). */
  calls: string[];
}

export class SandboxAccountError extends Error {
  override name = "SandboxAccountError";
}

/** Creates `login` and activates it through its mailed link; fails if the login is taken. */
export async function createActivatedAccount(account: NewAccount): Promise<BuiltAccount> {
  const calls: string[] = [];
  const call = async (
    method: string,
    path: string,
    init: { body?: string; headers?: Record<string, string> },
    want: number,
  ) => {
    const res = await fetch(account.baseUrl + path, { method, ...init });
    const text = await res.text();
    calls.push(`${method} ${path.split("?")[0]} -> ${res.status}`);
    if (res.status !== want) {
      throw new SandboxAccountError(
        `${method} ${path.split("?")[0]} for login ${account.login} answered HTTP ${res.status}, expected ${want}: ${describeError(text)}`,
      );
    }
    return text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const basic = Buffer.from(`${account.clientId}:${account.clientSecret}`).toString("base64");
  const token = await call(
    "POST",
    "/idp/token",
    {
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    },
    200,
  );
  const auth = { authorization: `Bearer ${String(token.access_token)}` };
  const json = { ...auth, "content-type": "application/json" };
  await call(
    "GET",
    `/users/check_login?username=${encodeURIComponent(account.login)}`,
    { headers: auth },
    204,
  );
  const created = await call(
    "POST",
    "/users",
    {
      headers: json,
      body: JSON.stringify({
        tenant_id: account.tenantId,
        login: account.login,
        contact: {
          email: account.email,
          firstname: account.firstname ?? null,
          lastname: account.lastname ?? null,
        },
      }),
    },
    200,
  );
  const id = String(created.id);
  await call("POST", `/users/${id}/send-activation-email`, { headers: json, body: "{}" }, 204);
  const control = new EmulatorControl(account.baseUrl.replace(/\/api\/2\/?$/, ""));
  const mail = (await control.outbox()).find((m) => m.kind === "activation" && m.userId === id);
  if (!mail) throw new SandboxAccountError(`no activation mail for account ${id} in the outbox`);
  const opened = await control.confirm(mail);
  calls.push(`GET (activation link) -> ${opened.status}`);
  if (!opened.ok) {
    throw new SandboxAccountError(
      `opening the activation link of account ${id} answered HTTP ${opened.status}`,
    );
  }
  const user = await call("GET", `/users/${id}`, { headers: auth }, 200);
  if (user.activated !== true) throw new SandboxAccountError(`account ${id} is not activated`);
  return { id, login: account.login, version: Number(user.version), calls };
}

function describeError(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } | string };
    if (typeof body.error === "object")
      return `code ${String(body.error.code)}: ${String(body.error.message)}`;
    if (typeof body.error === "string") return body.error;
  } catch {
    // not JSON: fall through
  }
  return text.slice(0, 200);
}

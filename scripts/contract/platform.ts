import { request } from "undici";
import type { ContractTarget } from "./target";

/**
 * The contract suite's HTTP calls: a token, JSON calls with it, and a guard that lets it write
 * only to accounts it created itself (so a slip in the suite cannot touch anyone else's account).
 */

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the suite walks the platform's JSON as it comes
  body: any;
}

export class Platform {
  private token: string | undefined;
  /**
   * Ids of the accounts this run created (and the spare client, if any): the only ones it may
   * change or delete.
   */
  readonly mine = new Set<string>();

  /** Every API answer of the run, for the check against the published OpenAPI. */
  readonly exchanges: (Answer & { method: string; path: string })[] = [];

  constructor(readonly target: ContractTarget) {
    if (target.spare) this.mine.add(target.spare.clientId.toLowerCase());
  }

  /** POST /idp/token with client credentials (Basic), as the provider logs in. */
  async tokenFor(clientId: string, clientSecret: string): Promise<Answer> {
    const res = await request(`${this.target.baseUrl}/idp/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "grant_type=client_credentials",
    });
    const answer = { status: res.statusCode, body: await json(res.body) };
    this.exchanges.push({ method: "POST", path: "/idp/token", ...answer });
    return answer;
  }

  async login(): Promise<Answer> {
    const answer = await this.tokenFor(this.target.clientId, this.target.clientSecret);
    if (answer.status === 200) this.token = answer.body?.access_token;
    return answer;
  }

  /** A call with the suite's token (or `token`); writes only to accounts in `mine`. */
  async call(method: string, path: string, body?: unknown, token = this.token): Promise<Answer> {
    guardWrite(method, path, this.mine);
    const headers: Record<string, string> = { authorization: `Bearer ${token ?? ""}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await request(this.target.baseUrl + path, {
      method: method as "GET",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = { status: res.statusCode, body: await json(res.body) };
    this.exchanges.push({ method, path, ...answer });
    return answer;
  }

  /** The newest link of `kind` the mailbox holds for `to`, opened; undefined without a mailbox. */
  async openMailedLink(
    to: string,
    kind: "activation" | "email-change",
  ): Promise<number | undefined> {
    if (this.target.mailbox === undefined) return undefined;
    const root = this.target.mailbox.replace(/\/+$/, "").replace(/\/_emulator$/, "");
    const res = await request(`${root}/_emulator/outbox?to=${encodeURIComponent(to)}`);
    const mails = ((await json(res.body)) ?? []) as {
      kind: string;
      link: string;
      opened: boolean;
    }[];
    const mail = mails.filter((m) => m.kind === kind && !m.opened).pop();
    if (mail === undefined) return 0;
    const opened = await request(mail.link);
    await opened.body.dump();
    return opened.statusCode;
  }
}

/** Writes (anything but GET) to /users/{id} or /clients/{id} only for ids in `mine`. */
function guardWrite(method: string, path: string, mine: ReadonlySet<string>): void {
  if (method === "GET") return;
  const m = /^\/(users|clients)\/([0-9a-f-]{36})(\/|\?|$)/i.exec(path);
  if (m?.[2] && !mine.has(m[2].toLowerCase())) {
    throw new Error(`contract suite refused its own ${method} ${path}: not an account it created`);
  }
}

async function json(body: { text(): Promise<string> }): Promise<unknown> {
  const text = await body.text();
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

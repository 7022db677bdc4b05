/**
 * The bench's reference rows: the dynamic provider anyone would write first. One
 * `GET /users/{id}` per Diff, a GET and a PUT per change, no batching, no read-ahead, no cache,
 * no retries. It runs through the same engine and host as the real provider. Not for use: it has
 * none of the real provider's checks, pending-confirmation handling or error reporting.
 *
 * Two variants:
 * - "naive" is built on what this project requires of any provider it ships: undici for HTTP and
 *   zod for every answer it reads. It pays the same once-per-process cost of loading them, so
 *   the ratio between it and ours is what our read path buys a user.
 * - "bare" uses Node's built-in fetch and trusts the JSON it gets. It loads nothing, and the bench
 *   reports it beside the small stacks, where that load is most of a run: it is what the
 *   libraries cost, not a target.
 */

export type NaiveVariant = "naive" | "bare";

interface NaiveConfig {
  get(key: string): string | undefined;
}

type Props = Record<string, unknown>;

interface Answer {
  status: number;
  json(): Promise<unknown>;
}

type Send = (
  method: "GET" | "PUT" | "POST",
  path: string,
  headers: Record<string, string>,
  body?: string,
) => Promise<Answer>;

interface NaiveState {
  settings?: { baseUrl: string; basic: string };
  token?: Promise<string>;
  send?: Send;
  /** Answers as the provider reads them: zod-checked ("naive") or taken as they are ("bare"). */
  parse?: {
    account: (json: unknown) => { version: number; contact: { email: string } };
    token: (json: unknown) => { access_token: string };
  };
}

/**
 * A provider object that serializes by value. Its state lives on the host process's global
 * object: Pulumi's serializer copies captured variables into each function's own environment, so
 * a `let` that `configure` assigns would not be seen by the other steps.
 */
export function makeNaiveProvider(variant: NaiveVariant = "naive") {
  const state = (): NaiveState => {
    const key = Symbol.for(`acronis-bench-${variant}-provider`);
    const global = globalThis as unknown as Record<symbol, NaiveState>;
    global[key] ??= {};
    return global[key];
  };

  /** Loads the variant's HTTP client and parsers, from the program directory as Pulumi would. */
  const load = (baseUrl: string): void => {
    const s = state();
    if (variant === "bare") {
      s.send = async (method, path, headers, body) =>
        globalThis.fetch(`${baseUrl}${path}`, { method, headers, body });
      s.parse = {
        account: (json) => json as { version: number; contact: { email: string } },
        token: (json) => json as { access_token: string },
      };
      return;
    }
    const fromProgram = process.getBuiltinModule("node:module").createRequire(`${process.cwd()}/`);
    const { Pool } = fromProgram("undici") as typeof import("undici");
    const { z } = fromProgram("zod") as typeof import("zod");
    const url = new URL(baseUrl);
    const pool = new Pool(url.origin, { connections: 8 });
    const prefix = url.pathname.replace(/\/$/, "");
    s.send = async (method, path, headers, body) => {
      const res = await pool.request({ method, path: `${prefix}${path}`, headers, body });
      return { status: res.statusCode, json: () => res.body.json() };
    };
    const account = z.object({ version: z.number(), contact: z.object({ email: z.string() }) });
    const token = z.object({ access_token: z.string() });
    s.parse = { account: (json) => account.parse(json), token: (json) => token.parse(json) };
  };

  const configured = (): Required<NaiveState> => {
    const s = state();
    if (!s.settings || !s.send || !s.parse) throw new Error(`${variant} provider: not configured`);
    return s as Required<NaiveState>;
  };

  const send: Send = (...args) => configured().send(...args);

  const authorization = async (): Promise<string> => {
    const { settings, parse } = configured();
    state().token ??= send(
      "POST",
      "/idp/token",
      {
        authorization: `Basic ${settings.basic}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      "grant_type=client_credentials",
    ).then(async (res) => parse.token(await res.json()).access_token);
    return `Bearer ${await state().token}`;
  };

  const getUser = async (id: string): Promise<{ version: number; email: string }> => {
    const res = await send("GET", `/users/${id}`, { authorization: await authorization() });
    const json = await res.json();
    if (res.status !== 200) throw new Error(`${variant} GET ${id}: HTTP ${res.status}`);
    const user = configured().parse.account(json);
    return { version: user.version, email: user.contact.email };
  };

  const converge = async (inputs: Props): Promise<Props> => {
    const id = String(inputs.userId);
    const live = await getUser(id);
    if (live.email === inputs.email) return { ...inputs, liveEmail: live.email };
    const res = await send(
      "PUT",
      `/users/${id}`,
      { authorization: await authorization(), "content-type": "application/json" },
      JSON.stringify({ contact: { email: inputs.email }, version: live.version }),
    );
    const json = await res.json();
    if (res.status !== 200) throw new Error(`${variant} PUT ${id}: HTTP ${res.status}`);
    configured().parse.account(json);
    return { ...inputs, liveEmail: inputs.email };
  };

  return {
    async configure(req: { config: NaiveConfig }) {
      const get = (key: string) => req.config.get(key) ?? "";
      const basic = Buffer.from(
        `${get("acronis:clientId")}:${get("acronis:clientSecret")}`,
      ).toString("base64");
      state().settings = { baseUrl: get("acronis:baseUrl"), basic };
      state().token = undefined;
      load(get("acronis:baseUrl"));
    },
    async check(_olds: Props, news: Props) {
      return { inputs: news };
    },
    async diff(_id: string, _olds: Props, news: Props) {
      const live = await getUser(String(news.userId));
      return { changes: live.email !== news.email };
    },
    async create(inputs: Props) {
      return { id: String(inputs.userId), outs: await converge(inputs) };
    },
    async update(_id: string, _olds: Props, news: Props) {
      return { outs: await converge(news) };
    },
    async read(id: string, props: Props) {
      const live = await getUser(id);
      return { id, props: { ...props, liveEmail: live.email } };
    },
    async delete() {},
  };
}

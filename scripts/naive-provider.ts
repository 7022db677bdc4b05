/**
 * The bench's reference row: the dynamic provider anyone would write first. One
 * `GET /users/{id}` per Diff, a GET and a PUT per change, no batching, no read-ahead, no cache,
 * no retries. It runs through the same engine and host as the real provider, so the ratio between
 * the two is what our read path buys a user. Not for use: it has none of the real provider's
 * checks, pending-confirmation handling or error reporting.
 */

interface NaiveConfig {
  get(key: string): string | undefined;
}

type Props = Record<string, unknown>;

interface NaiveState {
  settings?: { baseUrl: string; basic: string };
  token?: Promise<string>;
}

/**
 * A provider object that serializes by value. Its state lives on the host process's global
 * object: Pulumi's serializer copies captured variables into each function's own environment, so
 * a `let` that `configure` assigns would not be seen by the other steps.
 */
export function makeNaiveProvider() {
  const state = (): NaiveState => {
    const key = Symbol.for("acronis-bench-naive-provider");
    const global = globalThis as unknown as Record<symbol, NaiveState>;
    global[key] ??= {};
    return global[key];
  };

  const authorization = async (): Promise<string> => {
    const { settings } = state();
    if (!settings) throw new Error("naive provider: not configured");
    const { baseUrl, basic } = settings;
    state().token ??= globalThis
      .fetch(`${baseUrl}/idp/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${basic}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials",
      })
      .then(async (res) => ((await res.json()) as { access_token: string }).access_token);
    return `Bearer ${await state().token}`;
  };

  const getUser = async (id: string): Promise<{ version: number; email: string }> => {
    const res = await globalThis.fetch(`${state().settings?.baseUrl}/users/${id}`, {
      headers: { authorization: await authorization() },
    });
    if (res.status !== 200) throw new Error(`naive GET ${id}: HTTP ${res.status}`);
    const user = (await res.json()) as { version: number; contact: { email: string } };
    return { version: user.version, email: user.contact.email };
  };

  const converge = async (inputs: Props): Promise<Props> => {
    const id = String(inputs.userId);
    const live = await getUser(id);
    if (live.email === inputs.email) return { ...inputs, liveEmail: live.email };
    const res = await globalThis.fetch(`${state().settings?.baseUrl}/users/${id}`, {
      method: "PUT",
      headers: { authorization: await authorization(), "content-type": "application/json" },
      body: JSON.stringify({ contact: { email: inputs.email }, version: live.version }),
    });
    if (res.status !== 200) throw new Error(`naive PUT ${id}: HTTP ${res.status}`);
    await res.arrayBuffer();
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

import { authorize } from "../authorize";
import { badRequest } from "../errors";
import { methodNotAllowed, parseBool, parsePositiveInt, type Reply } from "../http";
import { parseUuid } from "../patterns";
import { iso, type Lod, type UserRecord } from "../platform-records";
import type { PlatformState } from "../state";
import { DEFAULT_BATCH_LIMIT, MAX_BATCH_UUIDS, usersByIds, usersInSubtree } from "../user-listing";
import type { ApiCall } from "./api-call";

/** The opaque `after` cursor of a subtree listing: root, offset, lod, allow_deleted. */
interface BatchCursor {
  r: string;
  o: number;
  l: Lod;
  d: boolean;
}

/**
 * GET /api/2/users: `uuids=` (at most 100), or `subtree_root_tenant_id=` page by page with an
 * `after` cursor; `lod` and `allow_deleted` as the API has them. (POST /users is the lifecycle's.)
 */
export function routeUsersBatch(state: PlatformState, call: ApiCall): Reply | undefined {
  const { method, rest, query, req } = call;
  if (rest.length !== 1 || rest[0] !== "users") return undefined;
  if (method !== "GET") throw methodNotAllowed(["GET", "POST"]);
  const caller = authorize(state, req.headers.authorization, "fetchUsersBatch");
  const uuids = query.get("uuids");
  const root = query.get("subtree_root_tenant_id");
  const after = query.get("after");
  const lodRaw = query.get("lod") ?? "full";
  if (lodRaw !== "stamps" && lodRaw !== "basic" && lodRaw !== "full") {
    throw badRequest("lod: must be stamps, basic or full");
  }
  let lod: Lod = lodRaw;
  const allowDeleted = parseBool(query.get("allow_deleted"));
  const timestamp = iso(state.now());
  const page = (users: UserRecord[], cursors: Record<string, string>): Reply => ({
    status: 200,
    body: {
      items: users.map((u) => state.userJson(u, lod, "batch")),
      paging: { cursors },
      timestamp,
    },
  });
  if (uuids !== null) {
    if (root !== null) throw badRequest("uuids: mutually exclusive with subtree_root_tenant_id");
    const ids = uuids.split(",").filter((s) => s.length > 0);
    if (ids.length === 0) throw badRequest("uuids: empty");
    if (ids.length > MAX_BATCH_UUIDS) {
      throw badRequest(`uuids: at most ${MAX_BATCH_UUIDS} UUIDs, got ${ids.length}`);
    }
    const norm = ids.map((id) => parseUuid(id, "uuids"));
    return page(usersByIds(state, caller, norm, allowDeleted), {});
  }
  let cursor: BatchCursor;
  if (after !== null) {
    cursor = decodeCursor(after);
    lod = cursor.l;
  } else if (root !== null) {
    cursor = { r: root, o: 0, l: lod, d: allowDeleted };
  } else {
    throw badRequest("one of uuids, subtree_root_tenant_id or after is required");
  }
  const limit = parsePositiveInt(query.get("limit"), "limit", DEFAULT_BATCH_LIMIT);
  const found = usersInSubtree(state, caller, cursor.r, cursor.o, limit, cursor.d === true);
  const next: BatchCursor = { r: cursor.r, o: found.next ?? 0, l: lod, d: cursor.d === true };
  return page(found.users, found.next === null ? {} : { after: encodeCursor(next) });
}

function encodeCursor(c: BatchCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decodeCursor(after: string): BatchCursor {
  let cursor: BatchCursor;
  try {
    cursor = JSON.parse(Buffer.from(after, "base64url").toString("utf8")) as BatchCursor;
  } catch {
    throw badRequest("after: invalid cursor");
  }
  if (typeof cursor.r !== "string" || typeof cursor.o !== "number") {
    throw badRequest("after: invalid cursor");
  }
  return cursor;
}

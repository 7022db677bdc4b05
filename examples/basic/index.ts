import { UserEmail } from "pulumi-acronis-user-email";

/**
 * One account, declared in code. `userId` is the account's UUID: `npx pulumi-acronis-user-email
 * export --tenant <tenant id>` writes every account of a tenant with its id, login and current
 * address (README, "3. Export the tenant"); the Acronis console shows it too (Users -> the account).
 */
const alice = new UserEmail("alice", {
  userId: "20000000-0000-4000-8000-000000000002",
  email: "alice.anders@alpha-corp.example",
  // Optional: how long an unconfirmed change is left alone before `up` sends a new link.
  resendAfter: "24h",
});

/** "synced", or "pendingConfirmation" until the user opens the link mailed to the old address. */
export const status = alice.status;
export const pendingSince = alice.confirmationRequestedAt;

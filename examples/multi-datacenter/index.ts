import * as pulumi from "@pulumi/pulumi";
import { AcronisProvider, UserEmail } from "pulumi-acronis-user-email";

/**
 * Accounts in two datacenters, each under its own API client, in one stack: one AcronisProvider
 * per datacenter, passed to each account as `{ provider }`. An instance reads only its own
 * arguments: the stack's `acronis:*` config and ACRONIS_* variables configure the default provider,
 * which this program does not use.
 *
 * The ids below are the emulator's (`npm run emulator -- --datacenters`); use your own accounts'.
 */
const config = new pulumi.Config();

/** The account takeover guard, the same for both: addresses outside these domains fail preview. */
const allowedEmailDomains = ["alpha-corp.example", "beta-corp.example", "gamma-corp.example"];

const eu2 = new AcronisProvider("eu2", {
  baseUrl: config.require("eu2BaseUrl"),
  clientId: config.require("eu2ClientId"),
  clientSecret: config.requireSecret("eu2ClientSecret"),
  allowedEmailDomains,
});

const us5 = new AcronisProvider("us5", {
  baseUrl: config.require("us5BaseUrl"),
  clientId: config.require("us5ClientId"),
  // Stored as a secret in the provider's state whether or not it arrives as one.
  clientSecret: config.requireSecret("us5ClientSecret"),
  allowedEmailDomains,
});

// eu2: alice is activated (a confirmation link goes to her current address), dave is not.
const alice = new UserEmail(
  "alice",
  { userId: "20000000-0000-4000-8000-000000000002", email: "alice.anders@alpha-corp.example" },
  { provider: eu2 },
);
const dave = new UserEmail(
  "dave",
  { userId: "20000000-0000-4000-8000-000000000005", email: "dave.dunn@beta-corp.example" },
  { provider: eu2 },
);

// us5: grace is activated, heidi is not.
const grace = new UserEmail(
  "grace",
  { userId: "50000000-0000-4000-8000-000000000001", email: "grace.gale@gamma-corp.example" },
  { provider: us5 },
);
const heidi = new UserEmail(
  "heidi",
  { userId: "50000000-0000-4000-8000-000000000002", email: "heidi.hart@gamma-corp.example" },
  { provider: us5 },
);

/** "synced", or "pendingConfirmation" until the user opens the link. Addresses stay out. */
export const statuses = {
  eu2: { alice: alice.status, dave: dave.status },
  us5: { grace: grace.status, heidi: heidi.status },
};

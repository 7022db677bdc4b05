import * as pulumi from "@pulumi/pulumi";
import type { Status } from "../decision/reconcile";
import type { Provider } from "../entry";
import * as userEmailProvider from "../entry";

/** What a program passes to `new UserEmail(...)`. */
export interface UserEmailArgs {
  /** UUID of an existing Acronis user account. Changing it replaces the resource. */
  userId: pulumi.Input<string>;
  /** The contact email the account must have. The domain is normalised (lower case, punycode). */
  email: pulumi.Input<string>;
  /**
   * How long a pending confirmation is left alone before `pulumi up` sends a new link, e.g.
   * "24h", "90m", "2d" (minimum "1m"). Default "24h".
   */
  resendAfter?: pulumi.Input<string>;
}

/**
 * Declares that an Acronis account must have a given contact email.
 *
 * Creating the resource adopts the existing account; deleting it releases the account and leaves
 * its email as it is. For an activated account the platform only changes the email once the user
 * opens the confirmation link mailed to the old address: until then `status` is
 * "pendingConfirmation" and every preview shows the resource as drifted.
 */
export class UserEmail extends pulumi.dynamic.Resource {
  declare readonly userId: pulumi.Output<string>;
  /** The desired address, normalised. */
  declare readonly email: pulumi.Output<string>;
  /** The address the platform holds now. */
  declare readonly liveEmail: pulumi.Output<string>;
  declare readonly status: pulumi.Output<Status>;
  /** The address a confirmation link was sent for, while it is unconfirmed; otherwise null. */
  declare readonly pendingEmail: pulumi.Output<string | null>;
  /** When that link was sent (ISO 8601), while it is unconfirmed; otherwise null. */
  declare readonly confirmationRequestedAt: pulumi.Output<string | null>;
  /** The account's revision number on the platform. */
  declare readonly version: pulumi.Output<number>;
  declare readonly activated: pulumi.Output<boolean>;
  declare readonly login: pulumi.Output<string>;
  declare readonly tenantId: pulumi.Output<string>;

  constructor(name: string, args: UserEmailArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      // Every step present, each as the SDK's contract types it (a type check; nothing emitted).
      userEmailProvider satisfies Provider,
      name,
      {
        ...args,
        // Outputs must be declared as undefined inputs or Pulumi drops them (pulumi/pulumi#2931).
        liveEmail: undefined,
        status: undefined,
        pendingEmail: undefined,
        confirmationRequestedAt: undefined,
        version: undefined,
        activated: undefined,
        login: undefined,
        tenantId: undefined,
      },
      opts,
      "acronis",
      "UserEmail",
    );
  }
}

export { userEmailProvider };

/**
 * How long what a content provider issues lasts. Both sides read it: the issuer
 * (electron/core/provider/issuance.ts) and the subscriber's renewals (subscribe.ts, run by every
 * node that holds a subscription), which must not load the issuer and its native Argon2 hasher; so
 * it sits here, below the service's door, where both reach it.
 */

/** How long an issued certificate lasts: short, since expiry is how access ends (PROTOCOL.md §4.4). */
export const PROVIDER_CERTIFICATE_LIFETIME_S = 24 * 3600
/**
 * How long a subscriber's refresh token lasts unused: each renewal moves its end this far ahead,
 * so a node that runs at least once in this time never needs the password again. Disabling the
 * account deletes it (accounts.ts); it is bound to one account and one member key.
 */
export const REFRESH_LIFETIME_MS = 90 * 24 * 3600_000

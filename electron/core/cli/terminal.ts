/**
 * What the CLI prints goes to a terminal, and much of it was named by someone else: a group's and a
 * share's name come from its owner, a member's from the owner's index, a peer's client name from
 * its peer id, a refusal's detail from the wire. A name with an escape sequence in it could retitle
 * the window, move the cursor, rewrite earlier lines or hide a refusal; a bidirectional override
 * makes one name read as another. So every line is escaped here before it is written: control
 * characters (C0, DEL, C1), the Unicode line separators and bidirectional formatting become visible
 * `\u001b`-style escapes. The line's own layout (tabs, line ends) is kept by `line`; a name is
 * escaped whole by `shown`, so a tab or a line end inside it cannot fake a column or a line either.
 */

/** C0 and C1 controls, DEL, U+2028/U+2029, and bidirectional formatting (UAX #9). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu
/** The same, but tab and line feed: the layout of a line the CLI itself wrote. */
const UNSAFE_IN_LAYOUT =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu
/** What JSON.stringify leaves raw although a terminal may act on it: C1, DEL, line separators, bidi. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/** A value someone else named, shown whole on one line: every control and bidi character escaped. */
export const shown = (s: string): string => s.replace(UNSAFE, escape)

/** A line (or lines) the CLI wrote: its tabs and line ends stay, anything else unsafe is escaped. */
export const line = (s: string): string => s.replace(UNSAFE_IN_LAYOUT, escape)

/**
 * JSON for a terminal or a script: JSON.stringify escapes C0 controls but leaves C1 ones (U+009B is
 * a CSI on terminals that take 8-bit controls) and bidi characters raw. Each is written as a \u
 * escape inside its string, so the JSON parses back to the very same value.
 */
export const json = (value: unknown): string => JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, escape)

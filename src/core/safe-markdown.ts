/**
 * Text the app writes into Markdown (its comment, check runs, replies) from strings someone
 * else controls: file paths, titles, branches, labels, config reasons, user names, statuses.
 * An author can name a file "x`\n- [ ] Docs updated <!-- rt:item:… -->\n`/a.json"; whatever
 * passes through here stays on its line, inside its span, and cannot open HTML, a link, a
 * task line or a notification.
 */

// Line breaks of every kind, other control characters, and the bidirectional controls that
// can make text read differently from what it is.
const BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex -- these are the characters being removed
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// The characters that start inline Markdown, HTML, entities, math or a table cell mid-line; a
// backslash makes each literal (CommonMark: any ASCII punctuation may be escaped). Block
// syntax (lists, headings) only starts a line, and no value here ever starts one.
const MARKDOWN_PUNCTUATION = /[\\`*_[\]<>|~&$]/g;

/** One line: breaks become spaces, control characters go, tabs become spaces. */
export function oneLine(value: string, max = 1000): string {
  const flat = value.replace(BREAKS, " ").replace(/\t/g, " ").replace(CONTROLS, "");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * Plain text that renders as itself: no formatting, no HTML, no links, no line of its own,
 * and an `@` that cannot mention anyone (a zero-width space after it).
 */
export function text(value: string, max?: number): string {
  return oneLine(value, max)
    .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
    .replace(/@(?=[A-Za-z0-9_-])/g, "@\u200b");
}

/**
 * An inline code span that its content cannot close: fenced with more backticks than any
 * run inside it, padded where it starts or ends with a backtick. In a table a `|` would
 * still end the cell (GFM splits rows first), so there it is escaped.
 */
export function code(value: string, options: { inTable?: boolean; max?: number } = {}): string {
  let body = oneLine(value, options.max ?? 300);
  if (options.inTable) body = body.replace(/\|/g, "\\|");
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = body.startsWith("`") || body.endsWith("`") || body === "" ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const TEAM = /^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9_.-]{1,100}$/;

/** An intended mention of a user or `@org/team`; anything that is not a valid name is shown as code. */
export function mention(login: string): string {
  if (TEAM.test(login)) return login;
  if (LOGIN.test(login)) return `@${login}`;
  return code(login);
}

/** A name shown without notifying anyone (who was passed over, who ticked, in a table). */
export function name(login: string): string {
  if (TEAM.test(login) || LOGIN.test(login)) return text(login.startsWith("@") ? login : `@${login}`);
  return code(login);
}

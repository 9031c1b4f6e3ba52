/** The extensions the app lints, lower case. */
export const LINTABLE_EXTENSIONS = [".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"] as const;

export type Flavour = "js" | "mjs" | "cjs" | "ts" | "tsx";

/** What the file's extension says about how to parse it; null when the app does not lint it. */
export function flavourOf(filename: string): Flavour | null {
  const dot = filename.lastIndexOf(".");
  if (dot < 0) return null;
  switch (filename.slice(dot).toLowerCase()) {
    case ".js":
    case ".jsx":
      return "js";
    case ".mjs":
      return "mjs";
    case ".cjs":
      return "cjs";
    case ".ts":
    case ".mts":
    case ".cts":
      return "ts";
    case ".tsx":
      return "tsx";
    default:
      return null;
  }
}

// No imports: the console's forms (web/src/model.ts) match the model's patterns with this too.

/** The model's patterns are Java regular expressions matched against the whole value. */
export function compileJavaPattern(source: string): RegExp | null {
  // Java's POSIX classes are ASCII-only; in the model they stand inside [...] classes.
  const js = source
    .replace(/\\p\{Upper\}/g, 'A-Z')
    .replace(/\\p\{Lower\}/g, 'a-z')
    .replace(/\\p\{Digit\}/g, '0-9')
    .replace(/\\p\{Alpha\}/g, 'a-zA-Z')
    .replace(/\\p\{Alnum\}/g, 'a-zA-Z0-9')
    .replace(/\\p\{Punct\}/g, '!-\\/:-@\\[-`{-~')
    .replace(/\\p\{Graph\}/g, '\\x21-\\x7E')
    .replace(/\\p\{Print\}/g, '\\x20-\\x7E')
    .replace(/\\p\{Cntrl\}/g, '\\x00-\\x1F\\x7F')
    .replace(/\\p\{Space\}/g, ' \\t\\n\\x0B\\f\\r')
    .replace(/\\p\{XDigit\}/g, '0-9a-fA-F')
    .replace(/\\p\{ASCII\}/g, '\\x00-\\x7F');
  try {
    return new RegExp(`^(?:${js})$`, 'su');
  } catch {
    return null;
  }
}

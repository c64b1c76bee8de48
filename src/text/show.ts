/** Shows a character readably: `\n`, `␠` for space, `\u{7}` for control and invisible characters. */
export function showChar(ch: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r', ' ': '␠', '\\': '\\\\' };
  if (named[ch] !== undefined) return named[ch];
  const cp = ch.codePointAt(0) ?? 0;
  const invisible =
    cp < 0x20 ||
    (cp >= 0x7f && cp < 0xa0) ||
    cp === 0xad ||
    cp === 0xfeff ||
    (cp >= 0x200b && cp <= 0x200f) ||
    cp === 0x2028 ||
    cp === 0x2029;
  return invisible ? `\\u{${cp.toString(16)}}` : ch;
}

/** Shows a string with newlines and control characters escaped, for one-line display. */
export function showText(text: string): string {
  let out = '';
  for (const ch of text) out += ch === ' ' ? ' ' : showChar(ch);
  return out;
}

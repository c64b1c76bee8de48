/**
 * The look of the curves picture: colours, the font, text escaping and coordinates. Pure,
 * shared by curves.ts and legend.ts.
 */
import type { CurveKind } from './curves.js';

/** Colour and dash of each kind: the cold reading is the validation colour, fainter and dashed. */
export const STYLE: Record<CurveKind, { color: string; width: number; dash?: string; opacity?: number }> = {
  train: { color: '#2563eb', width: 2 },
  validation: { color: '#ea580c', width: 2 },
  cold: { color: '#ea580c', width: 1.5, dash: '5 4', opacity: 0.55 },
};
export const INK = '#1f2937';
export const MUTED = '#6b7280';
export const GRID = '#e5e7eb';
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
/**
 * Estimated text widths per character at 12 px (a static file cannot measure text): ~0.6 em
 * regular, a little more bold, wide enough for DejaVu Sans, wider than system-ui fonts.
 */
export const CHAR_WIDTH = 7.2;
export const BOLD_CHAR_WIDTH = 7.6;

/**
 * Text for XML content and attribute values (model and corpus names may hold & < > and
 * quotes). Characters XML 1.0 forbids even escaped (control characters, lone surrogates)
 * become U+FFFD, so a file name cannot make the document unreadable.
 */
export function escapeXml(s: string): string {
  return s
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    )
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** A coordinate to 0.1 pixel: exact enough, and the same number wherever it is drawn. */
export const px = (v: number) => String(Math.round(v * 10) / 10);

/** The stroke attributes of a kind of curve, for its lines and its legend sample alike. */
export function stroke(kind: CurveKind): string {
  const s = STYLE[kind];
  return `stroke="${s.color}" stroke-width="${s.width}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}${s.opacity ? ` stroke-opacity="${s.opacity}"` : ''}`;
}

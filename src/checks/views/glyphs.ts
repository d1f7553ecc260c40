import type { Outcome } from '../model.js';

const GLYPHS: Record<Outcome, string> = { success: '√', warning: '‼', error: '×' };
// Upstream's exact bold-colour sequences (fatih/color), so coloured output is byte-compatible.
const COLOURS: Record<Outcome, string> = { success: '32', warning: '33', error: '31' };

export function glyph(outcome: Outcome, color: boolean): string {
  const g = GLYPHS[outcome];
  return color ? `\x1b[${COLOURS[outcome]};1m${g}\x1b[0;22m` : g;
}

export function statusLine(success: boolean, color: boolean): string {
  return `Status check results are ${glyph(success ? 'success' : 'error', color)}\n`;
}

/**
 * A small terminal chart of per-epoch losses: one column per epoch (epochs are grouped
 * when there are more than the width allows), `t` for train, `v` for validation, `*`
 * where they share a cell.
 */
export type Series = { label: string; mark: string; values: (number | null)[] };

export function chart(series: Series[], { height = 8, width = 60, unit = 'bpc' } = {}): string {
  const n = Math.max(...series.map((s) => s.values.length), 0);
  if (n === 0) return '(no epochs yet)\n';
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const group = Math.ceil(n / width);
  const cols = Math.ceil(n / group);
  const grid = Array.from({ length: height }, () => new Array<string>(cols).fill(' '));
  for (const s of series) {
    for (let col = 0; col < cols; col++) {
      const v = s.values[Math.min(n - 1, col * group + group - 1)];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      const row = Math.round(((hi - v) / (hi - lo)) * (height - 1));
      grid[row][col] = grid[row][col] === ' ' ? s.mark : '*';
    }
  }
  const labelWidth = Math.max(hi.toFixed(2).length, lo.toFixed(2).length);
  const lines = grid.map((row, i) => {
    const label = i === 0 ? hi.toFixed(2) : i === height - 1 ? lo.toFixed(2) : '';
    return `${label.padStart(labelWidth)} │${row.join('')}`;
  });
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(cols)}`);
  lines.push(
    `${' '.repeat(labelWidth)}  epoch 1${' '.repeat(Math.max(1, cols - 7 - String(n).length))}${n}${group > 1 ? ` (${group} epochs per column)` : ''}`,
  );
  lines.push(`${' '.repeat(labelWidth)}  ${series.map((s) => `${s.mark} ${s.label}`).join('   ')}   (${unit})`);
  return `${lines.join('\n')}\n`;
}

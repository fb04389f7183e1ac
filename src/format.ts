// Diagnostics as text (`file:line:col: error: message [CODE]`), GitHub workflow commands
// (`::error file=…,line=…,col=…::message`) or a JSON array. Pure: returns the text.
import type { Diagnostic } from './core/diagnostics.js';

export type Format = 'text' | 'json' | 'github';

export function formatDiagnostics(
  list: readonly Diagnostic[],
  format: Format,
  pathFor: (d: Diagnostic) => string = (d) => d.file,
): string {
  if (format === 'json')
    return (
      JSON.stringify(
        list.map((d) => ({ ...d, file: pathFor(d) })),
        null,
        2,
      ) + '\n'
    );
  let out = '';
  for (const d of list) {
    if (format === 'github') {
      const msg = `${d.message} [${d.code}]${d.hint ? ` (${d.hint})` : ''}`;
      out += `::${d.severity} file=${escapeProperty(pathFor(d))},line=${d.line},col=${d.column}::${escapeData(msg)}\n`;
    } else {
      out += `${pathFor(d)}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.code}]\n`;
      if (d.hint) out += `  hint: ${d.hint}\n`;
    }
  }
  return out;
}

// GitHub's workflow-command escaping (actions/toolkit's command.ts).
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { FlagSpec, FlagTable } from '../../../../src/common/flags/flag-spec.js';
import { KUBELET_FLAGS } from '../../../../src/kubelet/config/kubelet-flags.js';
import { RUNNER_FLAGS } from '../../../../src/runner/runner-flags.js';
import { REPO_ROOT } from '../../../e2e/support/paths.js';

/** One row of a README configuration table: the flags, variables and default code spans it names. */
interface ReadmeRow {
  text: string;
  flags: string[];
  env: string[];
  defaults: string[];
}

function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

/** The first table after `heading`, its columns found by their header names. */
function readmeTable(markdown: string, heading: string): ReadmeRow[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).to.be.greaterThan(-1);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const table = lines.slice(
    first,
    lines.findIndex((l, i) => i > first && !l.startsWith('|')),
  );
  // Cells split on pipes that are not escaped (`\|` stays inside a cell).
  const cells = (line: string) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
  const header = cells(table[0] ?? '');
  const column = (name: string) => header.indexOf(name);
  return table.slice(2).map((line) => {
    const row = cells(line);
    const cell = (name: string) => (column(name) === -1 ? '' : (row[column(name)] ?? ''));
    return {
      text: line,
      flags: codeSpans(cell('Flag')).flatMap((span) => {
        const m = /^--?([A-Za-z0-9][A-Za-z0-9.-]*)/.exec(span);
        return m?.[1] ? [m[1]] : [];
      }),
      env: codeSpans(cell('Environment variable')).filter((span) => /^[A-Z][A-Z0-9_]*$/.test(span)),
      defaults: codeSpans(cell('Default')),
    };
  });
}

function rowsOf(rows: ReadmeRow[], table: FlagTable): Array<{ row: ReadmeRow; specs: FlagSpec[] }> {
  return rows.map((row) => {
    const specs: FlagSpec[] = [];
    for (const name of row.flags) {
      const spec = table.find((f) => f.name === name || (f.aliases ?? []).includes(name));
      if (spec && !specs.includes(spec)) specs.push(spec);
    }
    return { row, specs };
  });
}

const binaries: Array<{ heading: string; table: FlagTable }> = [
  { heading: '### vk-cmd-kubelet', table: KUBELET_FLAGS },
  { heading: '### vk-cmd-runner', table: RUNNER_FLAGS },
];

describe("the README's configuration tables match the flag tables", () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

  for (const { heading, table } of binaries) {
    describe(heading.replace(/^#+ /, ''), () => {
      const rows = readmeTable(readme, heading);

      it('names every flag and alias of the table, and no other', () => {
        const inReadme = [...new Set(rows.flatMap((r) => r.flags))].sort();
        const inTable = [...new Set(table.flatMap((f) => [f.name, ...(f.aliases ?? [])]))];
        const missing = inTable.filter((n) => !inReadme.includes(n));
        const unknown = inReadme.filter((n) => !inTable.includes(n));
        expect({ missing, unknown }).to.deep.equal({ missing: [], unknown: [] });
      });

      it('gives each row the environment variables of its flags', () => {
        for (const { row, specs } of rowsOf(rows, table)) {
          const want = specs.flatMap((s) => s.env ?? []);
          expect(row.env, row.text).to.deep.equal(want);
        }
      });

      it('states the default of each flag where the row gives one code span per flag', () => {
        // Rows whose default is prose ("host name", "self-signed") or one shared span are not compared.
        for (const { row, specs } of rowsOf(rows, table)) {
          if (row.defaults.length !== specs.length) continue;
          specs.forEach((spec, i) => {
            const shown = [
              spec.defaultText,
              Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default),
            ];
            expect(shown, row.text).to.include(row.defaults[i]);
          });
        }
      });
    });
  }
});

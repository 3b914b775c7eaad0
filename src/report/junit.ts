import type { Report } from './report.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one testsuite per lab, one testcase per flow; a lab that failed to run is one errored case. */
export function junitXml(results: ({ report: Report } | { lab: string; file: string; error: string })[]): string {
  const suites = results.map((r) => {
    if ('error' in r) {
      return `  <testsuite name="${esc(r.lab)}" tests="1" failures="0" errors="1">\n    <testcase classname="${esc(r.lab)}" name="run" file="${esc(r.file)}">\n      <error message="${esc(r.error.split('\n')[0])}">${esc(r.error)}</error>\n    </testcase>\n  </testsuite>`;
    }
    const rep = r.report;
    const cases = rep.flows.map((f) => {
      const body = f.pass ? '' : `\n      <failure message="${esc(f.mismatches.join('; '))}">${esc([f.summary, ...(f.drop?.facts ?? [])].join('\n'))}</failure>\n    `;
      return `    <testcase classname="${esc(rep.lab)}" name="${esc(f.name)}" file="${esc(rep.file)}">${body}<system-out>${esc(f.summary)}</system-out></testcase>`;
    });
    const failures = rep.flows.filter((f) => !f.pass).length;
    return `  <testsuite name="${esc(rep.lab)}" tests="${rep.flows.length}" failures="${failures}" errors="0" time="${(rep.durationMs / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="asymlab">\n${suites.join('\n')}\n</testsuites>\n`;
}

import type { CheckResult, ConformanceReport } from './types.js';

// The three forms of a report: terminal lines, one JSON document, JUnit XML for CI.

const MARK: Record<CheckResult['status'], string> = {
  pass: 'pass',
  fail: 'FAIL',
  'not run': 'not run',
};

/** One line per check: status, id, duration, and why (for a failure or a check not run). */
export function resultLine(r: CheckResult): string {
  const head = `${MARK[r.status].padEnd(7)} ${r.id.padEnd(30)} ${`${r.durationMs} ms`.padStart(8)}`;
  return r.reason && r.status !== 'pass' ? `${head}  ${r.reason}` : head;
}

/** What preparing the run found that no one check reports, above the summary (none: no lines). */
export function noteLines(report: ConformanceReport): string[] {
  const notes = report.notes ?? [];
  return notes.length === 0 ? [] : ['Notes:', ...notes.map((note) => `  ${note}`)];
}

function block(label: string, value: unknown): string[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const lines = text.split('\n');
  const shown =
    lines.length > 40 ? [...lines.slice(0, 40), `… (${lines.length - 40} more lines)`] : lines;
  return [`    ${label}:`, ...shown.map((l) => `      ${l}`)];
}

/** A failure's evidence, indented under the summary: sent, answer, expected, details, doc. */
export function failureDetail(r: CheckResult): string[] {
  const e = r.evidence;
  return [
    `  ${r.id}: ${r.title}`,
    `    ${r.reason ?? 'failed'}`,
    ...block('sent', e?.sent),
    ...block('answer', e?.answer),
    ...(e ? [`    expected: ${e.expected}`] : []),
    ...(e?.details?.length ? block('details', e.details.join('\n')) : []),
    `    how to fix: ${r.doc}`,
  ];
}

export function summaryLine(report: ConformanceReport): string {
  const s = report.summary;
  return `${s.ran} of ${report.results.length} checks ran: ${s.passed} passed, ${s.failed} failed, ${s.notRun} not run (${(report.durationMs / 1000).toFixed(1)} s; stack start ${(report.stackStartMs / 1000).toFixed(1)} s)`;
}

const xml = (text: string) =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    // XML 1.0 has no way to write control characters other than tab and line breaks.
    .split('')
    .filter((ch) => ch.charCodeAt(0) >= 0x20 || ch === '\t' || ch === '\n' || ch === '\r')
    .join('');

/**
 * An attribute value: `xml`, plus its line breaks and tabs as character references, which a
 * parser would otherwise turn into spaces (XML attribute-value normalization).
 */
const attr = (text: string) =>
  xml(text).replaceAll('\t', '&#9;').replaceAll('\n', '&#10;').replaceAll('\r', '&#13;');

/**
 * JUnit XML: one testsuite per check family, a testcase per check (skipped = not run). The
 * report's notes go in each testsuite, as `note` properties and as its system-out: the schema
 * CI tools follow (Ant's, Jenkins') allows neither on `<testsuites>`, and a tool showing one
 * suite should still show why checks did not run.
 */
export function junitXml(report: ConformanceReport): string {
  const families = new Map<string, CheckResult[]>();
  for (const r of report.results) {
    const family = r.id.split('.')[0] as string;
    families.set(family, [...(families.get(family) ?? []), r]);
  }
  const s = report.summary;
  const notes = report.notes ?? [];
  const properties =
    notes.length === 0
      ? []
      : [
          '    <properties>',
          ...notes.map((note) => `      <property name="note" value="${attr(note)}"/>`),
          '    </properties>',
        ];
  const systemOut =
    notes.length === 0 ? [] : [`    <system-out>${xml(notes.join('\n'))}</system-out>`];
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="c2c test ${attr(report.connector)}" tests="${report.results.length}" failures="${s.failed}" skipped="${s.notRun}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  ];
  for (const [family, results] of families) {
    const failed = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter((r) => r.status === 'not run').length;
    out.push(
      `  <testsuite name="${family}" tests="${results.length}" failures="${failed}" skipped="${skipped}" time="${(results.reduce((t, r) => t + r.durationMs, 0) / 1000).toFixed(3)}" timestamp="${report.startedAt}">`,
      ...properties,
    );
    for (const r of results) {
      const open = `    <testcase classname="c2c.${family}" name="${attr(r.id)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
      if (r.status === 'pass') {
        out.push(`${open}/>`);
      } else if (r.status === 'not run') {
        out.push(
          `${open}>`,
          `      <skipped message="${attr(r.reason ?? 'not run')}"/>`,
          '    </testcase>',
        );
      } else {
        out.push(
          `${open}>`,
          `      <failure message="${attr(r.reason ?? 'failed')}" type="${attr(r.id)}">${xml(failureDetail(r).join('\n'))}</failure>`,
          '    </testcase>',
        );
      }
    }
    out.push(...systemOut, '  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKS, selectChecks, withPrerequisites } from '../../src/conformance/catalog.js';
import { junitXml, resultLine, summaryLine } from '../../src/conformance/report.js';
import {
  type ConformanceReport,
  DEFAULT_SETTINGS,
  exitStatus,
  summarise,
} from '../../src/conformance/types.js';

// One list of checks: the doc's headings and titles are the catalog's, in the same order.
const DOC = readFileSync(
  fileURLToPath(new URL('../../../../docs/conformance.md', import.meta.url)),
  'utf8',
);

describe('docs/conformance.md and the catalog', () => {
  it('lists every check, in run order, with the catalog title', () => {
    const sections = [...DOC.matchAll(/^### `([a-z.-]+)`\n\n\*\*(.+)\*\*$/gm)].map((m) => ({
      id: m[1],
      title: m[2],
    }));
    expect(sections).toEqual(CHECKS.map((c) => ({ id: c.id, title: c.title })));
  });

  it('names no check the catalog does not have', () => {
    const named = new Set(
      [
        ...DOC.matchAll(/`((?:contract|discovery|commands|retries|events|security)\.[a-z-]+)`/g),
      ].map((m) => m[1]),
    );
    const known = new Set(CHECKS.map((c) => c.id));
    expect([...named].filter((id) => !known.has(id as string))).toEqual([]);
  });

  it('needs only checks that run earlier', () => {
    CHECKS.forEach((check, i) => {
      for (const need of check.needs) {
        expect(
          CHECKS.findIndex((c) => c.id === need),
          `${check.id} needs ${need}`,
        ).toBeLessThan(i);
      }
    });
  });
});

describe('--only and --skip', () => {
  it('match ids exactly or by prefix, in run order', () => {
    expect(selectChecks(['commands'], []).ids).toEqual([
      'commands.trace-id',
      'commands.response',
      'commands.state',
      'commands.vendor-state',
    ]);
    expect(selectChecks(['contract.d'], []).ids).toEqual([
      'contract.discover-devices',
      'contract.deactivate-user',
    ]);
    expect(selectChecks([], ['security', 'events']).ids).not.toContain('security.secrets-in-logs');
    expect(selectChecks(['retries.replay', 'nonsense'], ['zzz']).unknown).toEqual([
      'nonsense',
      'zzz',
    ]);
  });

  it('run what a selected check needs', () => {
    const needed = withPrerequisites(['commands.state']);
    expect([...needed].sort()).toEqual(
      [
        'commands.state',
        'commands.trace-id',
        'contract.send-command',
        'discovery.discovery-id',
        'contract.discover-devices',
        'contract.activate-user',
      ].sort(),
    );
  });
});

const report = (statuses: Array<'pass' | 'fail' | 'not run'>): ConformanceReport => {
  const results = statuses.map((status, i) => ({
    id: CHECKS[i]?.id as string,
    title: CHECKS[i]?.title as string,
    durationMs: 12,
    doc: `docs/conformance.md#x${i}`,
    status,
    ...(status === 'pass' ? {} : { reason: `why <${i}> & "so"\u0001` }),
    ...(status === 'fail' ? { evidence: { sent: { a: 1 }, answer: 'no', expected: 'yes' } } : {}),
  }));
  return {
    connector: 'x',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1500,
    stackStartMs: 700,
    settings: DEFAULT_SETTINGS,
    results,
    summary: summarise(results),
  };
};

describe('the report', () => {
  it('exits 0 when all ran and passed, 1 on a failure, 3 when some did not run', () => {
    expect(exitStatus(report(['pass', 'pass']))).toBe(0);
    expect(exitStatus(report(['pass', 'fail', 'not run']))).toBe(1);
    expect(exitStatus(report(['pass', 'not run']))).toBe(3);
  });

  it('gives the number of checks that ran', () => {
    expect(summaryLine(report(['pass', 'fail', 'not run']))).toBe(
      '2 of 3 checks ran: 1 passed, 1 failed, 1 not run (1.5 s; stack start 0.7 s)',
    );
    expect(resultLine(report(['not run']).results[0] as never)).toMatch(
      /^not run contract\.cold-start +12 ms {2}why <0>/,
    );
  });

  it('writes JUnit XML a CI can read: failures, skipped, escaped text', () => {
    const xml = junitXml(report(['pass', 'fail', 'not run']));
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(xml).toContain('tests="3" failures="1" skipped="1"');
    expect(xml).toContain(
      '<testcase classname="c2c.contract" name="contract.cold-start" time="0.012"/>',
    );
    expect(xml).toContain('<failure message="why &lt;1&gt; &amp; &quot;so&quot;"');
    expect(xml).toContain('<skipped message="why &lt;2&gt; &amp; &quot;so&quot;"/>');
    expect(xml).not.toContain('\u0001');
    expect(xml.match(/<testsuite /g)?.length).toBe(1);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  it("puts the report's notes in each testsuite: note properties, then system-out", () => {
    const notes = [
      'C2C_VENDOR_URL is not set: the vendor checks did not run',
      `hostile <&"'> note\nsecond line\there`,
    ];
    const statuses = ['pass', 'fail', 'not run'] as const;
    const base = report(CHECKS.map((_, i) => statuses[i % 3] as (typeof statuses)[number]));
    const xml = junitXml({ ...base, notes });
    // What an XML parser gives back for a text node, or an attribute value (whose raw line
    // breaks and tabs it reads as spaces).
    const decode = (text: string, attribute = false) => {
      expect(text).not.toMatch(/[<"]|&(?!(?:lt|gt|amp|quot|apos|#\d+);)/);
      return (attribute ? text.replace(/[\t\n\r]/g, ' ') : text)
        .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
        .replace(/&(lt|gt|quot|apos);/g, (_, name: string) => ENTITIES[name] as string)
        .replaceAll('&amp;', '&');
    };
    const suites = [...xml.matchAll(/<testsuite [^>]*>\n([\s\S]*?)\n {2}<\/testsuite>/g)];
    const families = new Set(CHECKS.map((c) => c.id.split('.')[0]));
    expect(families.size).toBeGreaterThan(1);
    expect(suites).toHaveLength(families.size);
    for (const [, body] of suites) {
      const text = body as string;
      // Ant's schema: properties first, then the testcases, then system-out.
      expect(text.startsWith('    <properties>\n')).toBe(true);
      const values = [...text.matchAll(/<property name="note" value="([^"]*)"\/>/g)];
      expect(values.map((m) => decode(m[1] as string, true))).toEqual(notes);
      const out = /\n {4}<system-out>([^<]*)<\/system-out>$/.exec(text);
      expect(out?.index).toBeGreaterThan(text.lastIndexOf('<testcase '));
      expect(decode(out?.[1] as string)).toBe(notes.join('\n'));
    }
    // Without notes, neither element.
    expect(junitXml(base)).not.toMatch(/<properties>|<system-out>/);
  });
});

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'" };

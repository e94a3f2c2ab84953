// Every alarm's description links to docs/runbook.md#<alarm id>; the link must land on a section.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALARM_IDS } from '../../infra/alarms.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runbook = readFileSync(path.join(ROOT, 'docs', 'runbook.md'), 'utf8');

/** GitHub's heading anchor: lower case, punctuation other than - and _ removed, spaces to hyphens. */
function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function sections(markdown: string): Map<string, string> {
  const found = new Map<string, string>();
  const parts = markdown.replace(/```[\s\S]*?```/g, (block) => block.replace(/^#/gm, ' #')).split(/^## /m).slice(1);
  for (const part of parts) {
    const [heading = '', ...body] = part.split('\n');
    found.set(githubSlug(heading), body.join('\n'));
  }
  return found;
}

describe('docs/runbook.md', () => {
  const bySlug = sections(runbook);

  it.each([...ALARM_IDS])('has a section anchored #%s that says what it means, how to confirm and what to do', (id) => {
    const body = bySlug.get(id);
    expect(body, `no "## ${id}" section`).toBeDefined();
    expect(body).toMatch(/\*\*Means\.\*\*/);
    expect(body).toMatch(/\*\*Confirm\.\*\*[\s\S]*```/);
    expect(body).toMatch(/\*\*Do\.\*\*/);
  });

  it('explains inspecting and redriving the DLQ with npm run redrive, dry run included', () => {
    const body = bySlug.get('inspecting-and-redriving-the-dlq');
    expect(body).toContain('npm run redrive -- --dry-run');
    expect(body).toContain('AWS_ENDPOINT_URL');
  });

  it('links only to sections that exist', () => {
    const anchors = [...runbook.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(anchors.length).toBeGreaterThan(0);
    expect(anchors.filter((anchor) => !bySlug.has(anchor))).toEqual([]);
  });

  it('slugs headings the way GitHub does', () => {
    expect(githubSlug('dlq-not-empty')).toBe('dlq-not-empty');
    expect(githubSlug('Inspecting and redriving the DLQ')).toBe('inspecting-and-redriving-the-dlq');
    expect(githubSlug('Rolling back!')).toBe('rolling-back');
  });
});

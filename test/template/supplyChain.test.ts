import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const requirementFiles = () =>
  readdirSync(join(root, 'requirements')).filter((file) => file.endsWith('.txt'));

/** A requirements file's entries: each requirement line with its continuation lines. */
const entriesOf = (text: string): string[] =>
  text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) =>
      line
        .replace(/(^|\s)#.*$/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((line) => line !== '');

describe('Python tools', () => {
  it('pin every package to one version with the hashes of its files', () => {
    // Act
    const unpinned = requirementFiles().flatMap((file) =>
      entriesOf(read(`requirements/${file}`))
        .filter(
          (entry) =>
            !/^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[^\s;=]+( --hash=sha256:[0-9a-f]{64})+$/.test(
              entry,
            ),
        )
        .map((entry) => `${file}: ${entry}`),
    );

    // Assess
    expect(requirementFiles().sort()).toEqual(['checkov.txt', 'moto.txt', 'sam.txt']);
    expect(unpinned).toEqual([]);
  });

  it('are compiled from the tool each file names, at the version the file pins', () => {
    for (const file of requirementFiles()) {
      // Prepare
      const wanted = entriesOf(read(`requirements/${file.replace(/\.txt$/, '.in')}`));
      const pinned = new Map(
        entriesOf(read(`requirements/${file}`)).map((entry) => {
          const [name = '', version = ''] = entry.split(/\s/)[0]?.split('==') ?? [];
          return [name.replace(/\[.*\]$/, '').toLowerCase(), version] as const;
        }),
      );

      // Act & Assess
      expect(wanted.length, file).toBeGreaterThan(0);
      for (const entry of wanted) {
        const [, name = '', version] =
          /^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==(\S+)$/.exec(entry) ?? [];
        expect(pinned.get(name.toLowerCase()), `${file}: ${entry}`).toBe(version);
      }
    }
  });

  it('are installed by setup only from hashed wheels', () => {
    // Act
    const setup = read('scripts/setup.sh');
    // Each command on one line: continuation lines joined.
    const commands = setup.replace(/\\\n\s*/g, ' ');
    const pipInstalls = [...commands.matchAll(/pip" install[^\n]*/g)].map((match) => match[0]);

    // Assess
    expect(pipInstalls.length).toBe(1);
    expect(pipInstalls[0]).toContain('--require-hashes');
    expect(pipInstalls[0]).toContain('--only-binary :all:');
    // The file lists every dependency: nothing else is resolved, and pip check confirms it.
    expect(pipInstalls[0]).toContain('--no-deps');
    expect(setup).toMatch(/pip" check\b/);
  });
});

describe('Node.js, pnpm and the npm packages', () => {
  it('are installed by setup without running any install script', () => {
    // Act
    const setup = read('scripts/setup.sh');
    // Each command that installs: at the start of a line, or after `cd ... &&`.
    const installs = [...setup.matchAll(/(?:^\s*|&& )(?:npm|pnpm) install [^\n]*/gm)].map((match) =>
      match[0].trim(),
    );

    // Assess
    expect(installs.length).toBe(3);
    for (const install of installs) expect(install).toContain('--ignore-scripts');
    expect(installs.filter((install) => install.includes('pnpm install'))).toEqual([
      expect.stringContaining('--frozen-lockfile'),
    ]);
  });

  it('let no dependency run a build script, and fail on one nobody decided about', () => {
    // Act
    const workspace = parse(read('pnpm-workspace.yaml')) as {
      strictDepBuilds?: boolean;
      allowBuilds?: Record<string, boolean>;
    };

    // Assess
    expect(workspace.strictDepBuilds).toBe(true);
    expect(workspace.allowBuilds).toEqual({ esbuild: false });
  });
});

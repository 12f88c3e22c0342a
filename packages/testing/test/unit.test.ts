import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as unit from '@nightshift/testing/unit';
import { describe, expect, it } from 'vitest';
import * as eventContract from '../src/eventContract.ts';
import * as handlerModule from '../src/handlerModule.ts';
import * as pagedRequests from '../src/pagedRequests.ts';
import * as properties from '../src/properties.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Every module a source file loads, following its relative imports; bare ones by name. */
const importGraph = (entry: string) => {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    // Comments (with their examples) stripped; type-only imports load nothing.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
      .replace(/^\s*(?:import|export)\s+type\s[^;]*;/gm, '');
    const specifiers = [
      ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm),
      ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
    ].map((match) => match[1] ?? '');
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files, packages };
};

describe('the unit-test entry, @nightshift/testing/unit', () => {
  it('gives the event-contract, handler-module, paged-request and property helpers', () => {
    // Assess
    expect(Object.keys(unit).sort()).toEqual(
      [
        'assertAcceptsExactly',
        'assertKeepsValidEvents',
        'describeEventContract',
        'eventArbitraries',
        'loadHandler',
        'assertPagedRequests',
        ...Object.keys(properties),
      ].sort(),
    );
  });

  it('gives the very functions of the modules, not copies', () => {
    // Assess
    expect(unit.describeEventContract).toBe(eventContract.describeEventContract);
    expect(unit.eventArbitraries).toBe(eventContract.eventArbitraries);
    expect(unit.assertAcceptsExactly).toBe(eventContract.assertAcceptsExactly);
    expect(unit.assertKeepsValidEvents).toBe(eventContract.assertKeepsValidEvents);
    expect(unit.loadHandler).toBe(handlerModule.loadHandler);
    expect(unit.assertPagedRequests).toBe(pagedRequests.assertPagedRequests);
    const given = new Map(Object.entries(unit));
    for (const [name, value] of Object.entries(properties))
      expect(given.get(name), name).toBe(value);
  });

  it('keeps vitest out of the main entry, which scripts load outside vitest', () => {
    // Act
    const main = importGraph(resolve(SRC, 'index.ts'));
    const units = importGraph(resolve(SRC, 'unit.ts'));

    // Assess
    expect(units.packages).toContain('vitest');
    expect(main.files.size).toBeGreaterThan(10);
    expect(main.packages).not.toContain('vitest');
    expect([...main.packages].filter((name) => name.startsWith('@vitest/'))).toEqual([]);
    expect(main.files).not.toContain(resolve(SRC, 'unit.ts'));
    for (const file of units.files) {
      if (file.endsWith('unit.ts') || !readFileSync(file, 'utf8').includes("from 'vitest'"))
        continue;
      expect(main.files).not.toContain(file);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { loadHandler } from '../src/handlerModule.ts';

const load = () => import('./fixtures/configuredHandler.ts');

describe('Loading a handler module', () => {
  it('sets the environment before the module reads it at import', async () => {
    // Act
    const handler = await loadHandler(load, { TEST_GREETING: 'hello' });

    // Assess
    expect(await handler()).toBe('hello');
  });

  it('imports the module afresh each time, so that it reads the environment again', async () => {
    // Act
    const first = await loadHandler(load, { TEST_GREETING: 'first' });
    const second = await loadHandler(load, { TEST_GREETING: 'second' });
    const unset = await loadHandler(load, { TEST_GREETING: undefined });

    // Assess
    expect([await first(), await second(), await unset()]).toEqual(['first', 'second', 'unset']);
  });

  it('keeps the module it already has when told it need not be fresh', async () => {
    // Prepare
    const loaded = await loadHandler(load, { TEST_GREETING: 'loaded' });

    // Act
    const kept = await loadHandler(load, { TEST_GREETING: 'ignored' }, { fresh: false });

    // Assess
    expect(kept).toBe(loaded);
    expect(await kept()).toBe('loaded');
  });
});

import { describe, expect, it, vi } from 'vitest';
import { inChunks } from '../src/chunks.ts';

const ids = (count: number) => Array.from({ length: count }, (_, i) => `i-${i}`);

describe('inChunks', () => {
  it('calls once per chunk of the given size, in order', async () => {
    // Prepare
    const call = vi.fn(async (_chunk: string[]) => undefined);

    // Act
    const outcome = await inChunks(ids(5), 2, call);

    // Assess
    expect(call.mock.calls).toEqual([[['i-0', 'i-1']], [['i-2', 'i-3']], [['i-4']]]);
    expect(outcome).toEqual({ succeeded: ids(5), failed: [] });
  });

  it('calls nothing for no ids', async () => {
    const call = vi.fn(async (_chunk: string[]) => undefined);
    expect(await inChunks([], 50, call)).toEqual({ succeeded: [], failed: [] });
    expect(call).not.toHaveBeenCalled();
  });

  it('retries a failed chunk one id at a time, so one bad id fails alone', async () => {
    // Prepare
    const call = vi.fn(async (chunk: string[]) => {
      if (chunk.includes('i-1')) throw Object.assign(new Error('bad id'), { name: 'Invalid' });
    });

    // Act
    const outcome = await inChunks(ids(4), 3, call);

    // Assess
    expect(call.mock.calls).toEqual([
      [['i-0', 'i-1', 'i-2']],
      [['i-0']],
      [['i-1']],
      [['i-2']],
      [['i-3']],
    ]);
    expect(outcome.succeeded).toEqual(['i-0', 'i-2', 'i-3']);
    expect(outcome.failed).toEqual([
      { id: 'i-1', error: expect.objectContaining({ name: 'Invalid', message: 'bad id' }) },
    ]);
  });

  it('fails a single-id chunk without calling again, and turns what was thrown into an Error', async () => {
    // Prepare
    const call = vi.fn(async () => {
      throw 'throttled';
    });

    // Act
    const outcome = await inChunks(['i-0'], 50, call);

    // Assess
    expect(call).toHaveBeenCalledTimes(1);
    expect(outcome.failed).toEqual([{ id: 'i-0', error: new Error('throttled') }]);
    expect(outcome.failed[0]?.error).toBeInstanceOf(Error);
  });

  it('fails every id of a chunk that fails again one by one', async () => {
    // Prepare
    const call = vi.fn(async () => {
      throw new Error('down');
    });

    // Act
    const outcome = await inChunks(ids(2), 2, call);

    // Assess
    expect(call).toHaveBeenCalledTimes(3);
    expect(outcome.failed.map(({ id }) => id)).toEqual(['i-0', 'i-1']);
  });
});

export * from './facts.ts';
export type * from './types.ts';

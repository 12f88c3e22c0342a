import { type MotoConnection, startMoto } from '@nightshift/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    moto: MotoConnection;
  }
}

/** Starts one emulator for the integration run and stops it at the end. */
export default async function setup(project: TestProject) {
  const moto = await startMoto();
  project.provide('moto', { endpoint: moto.endpoint, clockFile: moto.clockFile });
  return () => moto.stop();
}

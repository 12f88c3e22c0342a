import { resetClients } from '@nightshift/runtime';
import { connectMoto } from '@nightshift/testing';
import { beforeEach, inject } from 'vitest';

// The SDK reaches the emulator through AWS_ENDPOINT_URL alone: production code has no
// emulator branch. Dummy credentials; no instance metadata lookups.
const moto = connectMoto(inject('moto'));
Object.assign(process.env, {
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
});

beforeEach(async () => {
  await moto.reset();
  resetClients();
});

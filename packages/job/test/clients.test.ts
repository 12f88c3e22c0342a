import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { getClient } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { OWN_CLIENTS } from '../src/clients.ts';

describe('OWN_CLIENTS', () => {
  it('makes both kinds of client as the shared client of the function’s own role and region', () => {
    // Act
    const resource = OWN_CLIENTS.resource(EC2Client);
    const own = OWN_CLIENTS.own(SNSClient);

    // Assess
    expect(resource).toBeInstanceOf(EC2Client);
    expect(resource).toBe(getClient(EC2Client));
    expect(own).toBeInstanceOf(SNSClient);
    expect(own).toBe(getClient(SNSClient));
    expect(OWN_CLIENTS.own(EC2Client)).toBe(resource);
  });
});

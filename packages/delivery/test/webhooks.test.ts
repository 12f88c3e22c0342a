import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_HOSTS, DeliveryError } from '../src/deliver.ts';
import { webhookUrl } from '../src/webhooks.ts';

// Each test reads other names: a value read is cached for the container.

const ssmMock = mockClient(SSMClient);
const secretsMock = mockClient(SecretsManagerClient);
const team = 'T1';
const slackUrl = `https://hooks.slack.com/services/${team}/B1/secret-token-value`;

describe('A destination’s webhook URL', () => {
  beforeEach(() => {
    ssmMock.reset();
    secretsMock.reset();
  });

  it('is its plain URL, checked', async () => {
    await expect(
      webhookUrl({ name: 'slack', kind: 'slack', url: slackUrl }, DEFAULT_WEBHOOK_HOSTS),
    ).resolves.toEqual(new URL(slackUrl));
  });

  it('is read from its SecureString parameter, decrypted, once per container', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: slackUrl } });
    const destination = { name: 'slack', kind: 'slack', parameter: '/cached' } as const;

    // Act
    const first = await webhookUrl(destination, DEFAULT_WEBHOOK_HOSTS);
    const second = await webhookUrl(destination, DEFAULT_WEBHOOK_HOSTS);

    // Assess
    expect([first.href, second.href]).toEqual([slackUrl, slackUrl]);
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/cached',
      WithDecryption: true,
    });
  });

  it('is read from its secret', async () => {
    // Prepare
    const teamsUrl = 'https://prod-01.westeurope.logic.azure.com/workflows/b';
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: teamsUrl });

    // Act & Assess
    await expect(
      webhookUrl({ name: 'ops', kind: 'teams', secret: 'teams/ops' }, DEFAULT_WEBHOOK_HOSTS),
    ).resolves.toEqual(new URL(teamsUrl));
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'teams/ops' });
  });

  it('fails naming the destination and the kind of error when it cannot be read', async () => {
    // Prepare
    ssmMock
      .on(GetParameterCommand)
      .rejects(
        Object.assign(new Error(`no access to ${slackUrl}`), { name: 'AccessDeniedException' }),
      );

    // Act
    const failure = webhookUrl(
      { name: 'slack', kind: 'slack', parameter: '/denied' },
      DEFAULT_WEBHOOK_HOSTS,
    );

    // Assess
    await expect(failure).rejects.toThrow(
      new DeliveryError('slack', 'could not read the webhook URL (GetParameterError)'),
    );
  });

  it('fails when it is empty or goes to a host that is not allowed, never showing it', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: '' } });

    // Act & Assess
    await expect(
      webhookUrl({ name: 'slack', kind: 'slack', parameter: '/empty' }, DEFAULT_WEBHOOK_HOSTS),
    ).rejects.toThrow(new DeliveryError('slack', 'the webhook URL is empty'));
    await expect(
      webhookUrl(
        { name: 'ops', kind: 'teams', url: 'https://evil.example.com/secret-token-value' },
        DEFAULT_WEBHOOK_HOSTS,
      ),
    ).rejects.toThrow(
      new DeliveryError(
        'ops',
        'the webhook host evil.example.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
      ),
    );
  });

  it('is nothing when the destination has no source', async () => {
    await expect(webhookUrl({ name: 'x', kind: 'slack' }, DEFAULT_WEBHOOK_HOSTS)).rejects.toThrow(
      new DeliveryError('x', 'the webhook URL is empty'),
    );
  });
});

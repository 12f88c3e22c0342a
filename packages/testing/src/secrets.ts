/**
 * Credentials as they turn up in log lines, error messages and URLs, for every test that
 * checks masking. Each one is assembled at run time from harmless pieces, so that no
 * secret scanner takes this file for a leaked key; none of them is a real credential.
 */
import { seededRandom } from './seededRandom.ts';

/** One credential inside a line of text. */
export interface SecretSample {
  /** What kind of credential it is. */
  kind: string;
  /** A line that carries it. */
  text: string;
  /** The credential itself: none of it may be left after masking. */
  secret: string;
  /** The line as `maskSecrets` leaves it. */
  masked: string;
}

const cat = (...parts: string[]) => parts.join('');

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `alphabet`, the same on every run. */
const body = (length: number, alphabet = ALPHANUMERIC) => {
  const random = seededRandom(length * 31 + alphabet.length);
  return Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
};

const BASE64 = `${ALPHANUMERIC}+/`;
const R = '[REDACTED]';

/** A sample whose masked line is `text` with the credential replaced by `[REDACTED]`. */
const sample = (kind: string, before: string, secret: string, after = ''): SecretSample => ({
  kind,
  text: cat(before, secret, after),
  secret,
  masked: cat(before, R, after),
});

const awsKeyId = (prefix: string) => cat(prefix, 'IOSFODNN7', 'EXAMPLE');
const awsSecret = body(40, BASE64);
const jwt = cat(
  'ey',
  'JhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  '.',
  'ey',
  'JzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ',
  '.',
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
);
const githubToken = (prefix: string) => cat(prefix, '_', body(36));
const slackToken = (prefix: string) => cat(prefix, '-', '1234567890-0987654321-', body(24));
const pemKey = (label: string) =>
  [
    cat('-----BEGIN ', label, '-----'),
    body(64, BASE64),
    cat(body(40, BASE64), '=='),
    cat('-----END ', label, '-----'),
  ].join('\n');

/** Credentials in text, each as `maskSecrets` must leave its line. */
export const SECRET_SAMPLES: readonly SecretSample[] = [
  // AWS access key ids and secret access keys.
  sample('AWS access key id', 'key ', awsKeyId('AKIA'), ' used'),
  sample('AWS temporary access key id', 'assumed ', awsKeyId('ASIA'), ' for the run'),
  sample('AWS role id', 'role ', awsKeyId('AROA')),
  sample('AWS user id', 'user ', awsKeyId('AIDA'), '.'),
  sample('AWS secret access key', 'aws_secret_access_key=', awsSecret, ' set'),
  sample('AWS secret access key', 'AWS_SECRET_ACCESS_KEY = ', awsSecret),
  sample('AWS secret access key', '{"SecretAccessKey": "', awsSecret, '"}'),
  sample('AWS session token', '"SessionToken":"', cat('IQoJb3JpZ2luX2Vj', body(60)), '"'),
  // Authorization headers.
  sample('bearer token', 'Authorization: Bearer ', jwt),
  sample('bearer token', 'curl -H "Authorization: Bearer  ', body(40), '"'),
  sample('basic credentials', 'Authorization: Basic ', 'dXNlcjpwYXNzd29yZA==', ' sent'),
  sample('token credentials', 'header Token ', body(32)),
  // A value next to a name that says it is secret.
  sample('password', 'login failed for bob password=', 'hunter2', '; retrying'),
  sample('password', 'password = ', 'hunter2', ' (from the environment)'),
  sample('password', 'Password:', 'hunter2', '\nnext line'),
  sample('password', '{"user":"bob","password":"', 's3cr3t!', '"}'),
  sample('password', "password: '", 'correct horse battery staple', "'"),
  sample('password', 'password: "', 'correct horse battery staple', '" is wrong'),
  sample('password', String.raw`{"log":"{\"password\":\"`, 'hunter2', String.raw`\"}"}`),
  sample('password', 'passwd=', 'hunter2', ',user=bob'),
  sample('password', 'pwd=', 'hunter2', '&user=bob'),
  sample('password', 'DB_PASSWORD=', 'hunter2', ' DB_USER=app'),
  sample('API key', '?api_key=', body(24), '&format=json'),
  sample('API key', 'x-api-key: ', body(32)),
  sample('API key', '{"apiKey":"', body(24), '"}'),
  sample('API key', 'apikey=', body(24), ';'),
  sample('API key', 'API-KEY: ', body(24)),
  sample('private key', 'private_key=', body(48), ' loaded'),
  sample('private key', 'privateKey: ', body(48), '}'),
  sample('private key', 'private-key=', body(48)),
  sample('client secret', 'client_secret=', body(32), '&grant_type=client_credentials'),
  sample('secret', '{secret:', body(20), '}'),
  sample('secret', 'secret = ', body(20)),
  sample('token', 'token=', body(20), ' expired'),
  sample('token', 'GITHUB_TOKEN=', body(20)),
  sample('token', 'access_token: ', body(20)),
  sample('credentials', 'credentials=', body(20)),
  sample('credentials', 'credential: ', body(20)),
  // Credentials in URLs.
  sample('database password', 'connecting to postgres://app:', 'pa55word', '@db:5432/app'),
  sample('database password', 'postgres://app:', 'pa55word', '@db.internal:5432/app'),
  sample('database password', 'mysql://root:', 'toor', '@localhost/shop'),
  sample('cache password', 'redis://:', 'sup3rsecret', '@cache:6379'),
  sample(
    'Slack webhook',
    'posting to https://hooks.slack.com/',
    cat('services/T0000', '0000/B0000', '0000/', body(24)),
    ' failed',
  ),
  sample(
    'Teams Workflows webhook',
    'https://prod-23.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=',
    body(43),
  ),
  sample(
    'Teams Workflows webhook',
    'https://default1234.56.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=',
    body(43),
    '&sv=1.0',
  ),
  sample('signature', 'GET /download?signature=', body(30), '#top'),
  sample('OAuth code', 'GET /callback?code=', 'abc123', '&state=x'),
  sample('access token in a URL', 'https://api.example.com/items?access_token=', body(30)),
  sample('key in a URL', 'https://maps.example.com/api?key=', body(30), '&q=x'),
  // Tokens of well-known services.
  ...['ghp', 'gho', 'ghu', 'ghs', 'ghr'].map((prefix) =>
    sample('GitHub token', 'cloning with ', githubToken(prefix), ' now'),
  ),
  sample('GitHub fine-grained token', 'token ', cat('github_pat_', body(22), '_', body(59))),
  ...['xoxb', 'xoxa', 'xoxp', 'xoxr', 'xoxe', 'xoxs', 'xapp'].map((prefix) =>
    sample('Slack token', 'slack client with ', slackToken(prefix), ' ready'),
  ),
  sample('JSON web token', 'session ', jwt, ' rejected'),
  sample('JSON web token', '(', jwt, ')'),
  // Private keys.
  ...[
    'RSA PRIVATE KEY',
    'PRIVATE KEY',
    'EC PRIVATE KEY',
    'OPENSSH PRIVATE KEY',
    'ENCRYPTED PRIVATE KEY',
    'PGP PRIVATE KEY BLOCK',
  ].map((label) => sample('private key block', 'loaded ', pemKey(label), '\nready')),
  sample(
    'private key block, JSON-escaped',
    '{"key":"',
    pemKey('PRIVATE KEY').replaceAll('\n', String.raw`\n`),
    '"}',
  ),
  sample(
    'private key block, cut off',
    'key: ',
    pemKey('RSA PRIVATE KEY').split('\n').slice(0, 2).join('\n'),
  ),
];

/** Lines with nothing secret in them, which masking must leave exactly as they are. */
export const HARMLESS_SAMPLES: readonly string[] = [
  'Processed 512 records in 3 s',
  'password reset requested for bob',
  'Token refresh scheduled for 02:00',
  'the tokenizer: ready',
  'secrets rotated: 3',
  'GET https://example.com:8443/health?region=eu-west-1&page=2',
  'https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/web/executions/a1b2/timeline?region=eu-west-1',
  '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----',
  'ghp_short and xoxb-short and eyJ alone',
  'instance i-0abc123 stopped; AKIA is a prefix',
  'user bob logged in from 10.0.0.1:443',
];

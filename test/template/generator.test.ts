import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listFunctions } from '../../scripts/lib/functions.ts';
import {
  BASE_SOURCE,
  FUNCTION_SOURCE,
  renderTemplate,
  TemplateError,
} from '../../scripts/template.ts';
import { parseTemplate } from './cfnYaml.ts';

const root = resolve(import.meta.dirname, '../..');

describe('template.yaml', () => {
  it('is what scripts/template.ts makes of its sources (run it after changing one)', () => {
    // Act
    const generated = renderTemplate(root);

    // Assess
    expect(readFileSync(join(root, 'template.yaml'), 'utf8')).toBe(generated);
  });
});

describe('scripts/template.ts', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A repository with the template's sources and the given functions. */
  const repository = (
    functions: Record<
      string,
      { trigger?: string; metrics?: string[]; fragment?: string; dashboardPeriod?: number }
    >,
  ): string => {
    const dir = mkdtempSync(join(tmpdir(), 'nightshift-template-'));
    roots.push(dir);
    for (const source of [BASE_SOURCE, FUNCTION_SOURCE]) {
      mkdirSync(join(dir, source, '..'), { recursive: true });
      cpSync(join(root, source), join(dir, source));
    }
    for (const [
      name,
      { trigger = 'schedule', metrics = [], fragment, dashboardPeriod },
    ] of Object.entries(functions)) {
      mkdirSync(join(dir, 'functions', name, 'events'), { recursive: true });
      writeFileSync(join(dir, 'functions', name, 'events', 'smoke.json'), '{}');
      writeFileSync(
        join(dir, 'functions', name, 'package.json'),
        JSON.stringify({
          name: `@nightshift/${name}`,
          description: `What ${name} does.`,
          nightshift: {
            trigger,
            dryRun: true,
            smokeEvent: 'events/smoke.json',
            metrics,
            ...(dashboardPeriod ? { dashboardPeriod } : {}),
          },
        }),
      );
      if (fragment) writeFileSync(join(dir, 'functions', name, 'template.yaml'), fragment);
    }
    return dir;
  };

  it('gives a function without a template of its own everything every function has', () => {
    // Prepare
    const dir = repository({
      'night-report': { metrics: ['ReportsSent'] },
      'day-report': { metrics: ['DaysReported'], dashboardPeriod: 86_400 },
    });

    // Act
    const { Resources } = parseTemplate(renderTemplate(dir));

    // Assess
    expect(Resources.NightReportFunction).toMatchObject({
      Type: 'AWS::Serverless::Function',
      Properties: {
        FunctionName: { 'Fn::Sub': 'nightshift-night-report-${Environment}' },
        Description: 'What night-report does.',
        CodeUri: 'dist/night-report',
        DeploymentPreference: { Alarms: [{ Ref: 'NightReportErrorsAlarm' }] },
        LoggingConfig: { LogGroup: { Ref: 'NightReportLogGroup' } },
        EventInvokeConfig: {
          MaximumRetryAttempts: 2,
          DestinationConfig: {
            OnFailure: { Destination: { 'Fn::GetAtt': ['NightReportDeadLetterQueue', 'Arn'] } },
          },
        },
      },
    });
    for (const id of ['LogGroup', 'DeadLetterQueue', 'ErrorsAlarm', 'ThrottlesAlarm']) {
      expect(Resources[`NightReport${id}`], id).toBeDefined();
    }
    expect(Resources.NightReportDeadLettersAlarm?.Properties?.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::Sub': '${NightReportDeadLetterQueue.QueueName}' } },
    ]);
    const dashboardBody = Resources.Dashboard?.Properties?.DashboardBody as { 'Fn::Sub': string };
    const body = JSON.parse(dashboardBody['Fn::Sub']) as {
      widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
    };
    expect(body.widgets.find((widget) => widget.properties.title === 'night-report')).toEqual(
      expect.objectContaining({
        properties: expect.objectContaining({
          metrics: [['Nightshift', 'ReportsSent', 'service', 'night-report']],
          period: 3600,
        }),
      }),
    );
    // A daily job's widget sums a day at a time, as its manifest asks.
    expect(body.widgets.find((widget) => widget.properties.title === 'day-report')).toEqual(
      expect.objectContaining({ properties: expect.objectContaining({ period: 86_400 }) }),
    );
  });

  it('lays a function’s own settings over the common ones, a checkov skip by its id', () => {
    // Prepare
    const dir = repository({
      'night-report': {
        fragment: `Parameters:
  NightReportSchedule:
    Type: String
    Default: cron(0 6 * * ? *)
Resources:
  NightReportFunction:
    Metadata:
      checkov:
        skip:
          - id: CKV_AWS_117
            comment: Its own reason.
          - id: CKV_AWS_115
            comment: One run a day.
    Properties:
      Timeout: 120
      EventInvokeConfig:
        MaximumRetryAttempts: 0
      Events:
        Daily:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: !Ref NightReportSchedule
        Hourly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            RetryPolicy:
              MaximumRetryAttempts: 0
  NightReportTopic:
    Type: AWS::SNS::Topic
`,
      },
    });

    // Act
    const template = parseTemplate(renderTemplate(dir));
    const fn = template.Resources.NightReportFunction;

    // Assess
    expect(template.Parameters?.NightReportSchedule).toBeDefined();
    expect(template.Resources.NightReportTopic?.Type).toBe('AWS::SNS::Topic');
    expect(fn?.Metadata?.checkov).toEqual({
      skip: [
        { id: 'CKV_AWS_117', comment: 'Its own reason.' },
        { id: 'CKV_AWS_173', comment: expect.any(String) },
        { id: 'CKV_AWS_116', comment: expect.any(String) },
        { id: 'CKV_AWS_115', comment: 'One run a day.' },
      ],
    });
    expect(fn?.Properties?.Timeout).toBe(120);
    expect(fn?.Properties?.EventInvokeConfig).toEqual({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 21600,
      DestinationConfig: {
        OnFailure: {
          Type: 'SQS',
          Destination: { 'Fn::GetAtt': ['NightReportDeadLetterQueue', 'Arn'] },
        },
      },
    });
    const events = fn?.Properties?.Events as Record<string, { Properties: unknown }>;
    expect(events.Daily?.Properties).toEqual({
      ScheduleExpression: { Ref: 'NightReportSchedule' },
      RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['NightReportDeadLetterQueue', 'Arn'] } },
    });
    expect(events.Hourly?.Properties).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 0 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['NightReportDeadLetterQueue', 'Arn'] } },
    });
  });

  it('subscribes a log-subscription function to up to five watched log groups', () => {
    // Prepare
    const dir = repository({ 'log-reader': { trigger: 'log-subscription' } });

    // Act
    const { Parameters, Conditions, Resources } = parseTemplate(renderTemplate(dir));

    // Assess
    expect(Parameters?.WatchedLogGroups).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    expect(Object.keys(Conditions ?? {})).toEqual(
      expect.arrayContaining([1, 2, 3, 4, 5].map((index) => `WatchesLogGroup${index}`)),
    );
    expect(Resources.LogReaderInvokePermission?.Properties?.FunctionName).toEqual({
      Ref: 'LogReaderFunction.Alias',
    });
    expect(Resources.LogReaderSubscription5).toMatchObject({
      Condition: 'WatchesLogGroup5',
      DependsOn: 'LogReaderInvokePermission',
    });
  });

  it('refuses a second log-subscription function: the watched log groups are one list', () => {
    // Prepare
    const dir = repository({
      'log-reader': { trigger: 'log-subscription' },
      'log-writer': { trigger: 'log-subscription' },
    });

    // Act & Assess
    expect(() => renderTemplate(dir)).toThrow(TemplateError);
    expect(() => renderTemplate(dir)).toThrow(/log-reader, log-writer/);
  });

  it('refuses a name defined twice, naming both places', () => {
    // Prepare
    const dir = repository({
      'night-report': {
        fragment: 'Parameters:\n  DryRun:\n    Type: String\n',
      },
    });

    // Act & Assess
    expect(() => renderTemplate(dir)).toThrow(
      'Parameters DryRun is defined in scripts/template/base.yaml and in functions/night-report/template.yaml',
    );
  });

  it('refuses a section a template cannot have', () => {
    // Prepare
    const dir = repository({ 'night-report': { fragment: 'Globals:\n  Function: {}\n' } });

    // Act & Assess
    expect(() => renderTemplate(dir)).toThrow(
      'functions/night-report/template.yaml: unknown section Globals',
    );
  });

  it('writes the functions of the list, and only those', () => {
    // Act
    const { Resources } = parseTemplate(renderTemplate(root));

    // Assess
    const functions = Object.entries(Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
      .map(([id]) => id);
    expect(functions).toEqual(listFunctions(root).map((fn) => `${fn.resource}Function`));
  });
});

import type { Database } from '@nightshift/inventory';
import { describe, expect, it } from 'vitest';
import { databaseFacts, factDetails, markTime, memberClasses } from '../src/facts.ts';

const db = (fields: Partial<Database> & Pick<Database, 'kind' | 'id'>): Database => ({
  arn: `arn:${fields.id}`,
  status: 'available',
  tags: [],
  ...fields,
});

describe('factDetails', () => {
  it('writes every fact given, lists comma-separated, the time as ISO', () => {
    expect(
      factDetails({
        kind: 'group',
        instanceType: 't3.micro',
        multiAz: false,
        engine: 'postgres',
        members: ['db.r6g.large', 'db.r6g.large'],
        capacity: 0,
        instanceTypes: ['t3.small', 'm5.large'],
        stoppedSince: new Date('2026-11-26T19:00:00Z'),
      }),
    ).toEqual({
      kind: 'group',
      instanceType: 't3.micro',
      multiAz: false,
      engine: 'postgres',
      members: 'db.r6g.large,db.r6g.large',
      capacity: 0,
      instanceTypes: 't3.small,m5.large',
      stoppedSince: '2026-11-26T19:00:00.000Z',
    });
  });

  it('leaves out what AWS did not give: never an empty string, an empty list or an unreadable time', () => {
    expect(Object.keys(factDetails({ kind: 'instance' }))).toEqual(['kind']);
    expect(
      Object.keys(factDetails({ kind: 'db-instance', instanceType: '', multiAz: undefined })),
    ).toEqual(['kind']);
    expect(
      factDetails({
        kind: 'db-cluster',
        instanceType: ' ',
        engine: '',
        members: [],
        instanceTypes: ['', ' '],
        stoppedSince: new Date(Number.NaN),
      }),
    ).toEqual({ kind: 'db-cluster' });
    expect(factDetails({ kind: 'group', instanceTypes: ['', 't3.micro'] })).toEqual({
      kind: 'group',
      instanceTypes: 't3.micro',
    });
  });
});

describe('memberClasses and databaseFacts', () => {
  const databases = [
    db({ kind: 'cluster', id: 'aurora', engine: 'aurora-mysql', multiAz: true }),
    db({ kind: 'instance', id: 'a-1', clusterId: 'aurora', instanceClass: 'db.r6g.large' }),
    db({ kind: 'instance', id: 'a-2', clusterId: 'aurora' }),
    db({ kind: 'instance', id: 'a-3', clusterId: 'aurora', instanceClass: 'db.r6g.xlarge' }),
    db({ kind: 'instance', id: 'solo', instanceClass: 'db.t4g.micro', multiAz: true }),
    db({ kind: 'cluster', id: 'empty' }),
  ];

  it('gives each cluster the classes of its DB instances, one per member with a class, in order', () => {
    expect(memberClasses(databases)).toEqual(
      new Map([['aurora', ['db.r6g.large', 'db.r6g.xlarge']]]),
    );
  });

  it('gives a DB instance its class, Multi-AZ and engine, a cluster its engine and members', () => {
    const members = memberClasses(databases);
    const [aurora, , , , solo, empty] = databases as [
      Database,
      Database,
      Database,
      Database,
      Database,
      Database,
    ];
    expect(databaseFacts(aurora, members)).toEqual({
      kind: 'db-cluster',
      engine: 'aurora-mysql',
      members: ['db.r6g.large', 'db.r6g.xlarge'],
    });
    expect(databaseFacts(solo, members)).toEqual({
      kind: 'db-instance',
      instanceType: 'db.t4g.micro',
      multiAz: true,
      engine: undefined,
    });
    expect(factDetails(databaseFacts(empty, members))).toEqual({ kind: 'db-cluster' });
  });
});

describe('markTime', () => {
  it('reads a full ISO time, and nothing else', () => {
    expect(markTime('2026-11-26T19:00:00.000Z')).toEqual(new Date('2026-11-26T19:00:00Z'));
    expect(markTime(' 2026-11-26T20:00+01:00 ')).toEqual(new Date('2026-11-26T19:00:00Z'));
    expect(markTime('2026-11-26T19:00:30Z')).toEqual(new Date('2026-11-26T19:00:30Z'));
    expect(markTime(undefined)).toBeUndefined();
    expect(markTime('')).toBeUndefined();
    expect(markTime('2026-11-26')).toBeUndefined();
    expect(markTime('last night')).toBeUndefined();
    expect(markTime('2026-13-45T19:00:00Z')).toBeUndefined();
  });
});

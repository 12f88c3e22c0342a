import { describe, expect, it } from 'vitest';
import {
  FACT,
  FOUND_RUNNING_ACTIONS,
  IDLE_ACTION,
  RESOURCE_KINDS,
  START_ACTIONS,
  STOP_ACTIONS,
} from '../src/facts.ts';

// These names are the run history's format: runs written before a change must still be
// read after it, so each one is spelled out here as the history holds it.
describe('the facts of a report entry', () => {
  it("keeps each fact under its own name in an entry's details", () => {
    // Act & Assess
    expect(FACT).toEqual({
      kind: 'kind',
      instanceType: 'instanceType',
      multiAz: 'multiAz',
      engine: 'engine',
      members: 'members',
      instanceTypes: 'instanceTypes',
      capacity: 'capacity',
      stoppedSince: 'stoppedSince',
      fellBack: 'fellBack',
      attention: 'attention',
      volumeSizeGiB: 'volumeSizeGiB',
    });
  });

  it('names every fact differently', () => {
    // Act
    const names = Object.values(FACT);

    // Assess
    expect(new Set(names).size).toBe(names.length);
  });

  it('knows the four kinds of resource a stop or start is about, each once', () => {
    // Act & Assess
    expect([...RESOURCE_KINDS]).toEqual(['instance', 'group', 'db-instance', 'db-cluster']);
  });
});

describe('the report actions the history reads', () => {
  it("reads infra-scaler's stops (scale_down and reconcile) and its starts", () => {
    // Act & Assess
    expect([...STOP_ACTIONS]).toEqual(['stop', 'scale to 0']);
    expect([...START_ACTIONS]).toEqual(['start', 'restore']);
  });

  it("reads scale_up's unmark and reconcile's record as finding a stopped resource running again", () => {
    // Act & Assess
    expect([...FOUND_RUNNING_ACTIONS]).toEqual(['unmark', 'record']);
  });

  it("reads the idle check's flag", () => {
    // Act & Assess
    expect(IDLE_ACTION).toBe('flag idle');
  });

  it('never reads one action two ways', () => {
    // Prepare
    const actions = [...STOP_ACTIONS, ...START_ACTIONS, ...FOUND_RUNNING_ACTIONS, IDLE_ACTION];

    // Act & Assess
    expect(new Set(actions).size).toBe(actions.length);
  });
});

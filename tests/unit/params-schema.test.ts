import { describe, expect, test } from 'vitest';
import {
  analysisParamsProblems,
  DEFAULT_ANALYSIS_PARAMS,
  ENUM_RULES,
  NUMBER_RULES,
  type AnalysisParams,
} from '../../src/core/analysis/params.ts';
import {
  describeParams,
  nonDefaultParams,
  PARAM_CONTROLS,
  PARAM_GROUPS,
  UNIT_OF_RULE,
} from '../../src/core/analysis/params-schema.ts';

const KEYS = Object.keys(DEFAULT_ANALYSIS_PARAMS) as (keyof AnalysisParams)[];

describe('parameter controls (params-schema.ts) against the validation rules (params.ts)', () => {
  test('every AnalysisParams field has exactly one control, and no control names another field', () => {
    const controlled = PARAM_CONTROLS.map((control) => control.key);
    expect([...controlled].sort()).toEqual([...KEYS].sort());
    expect(new Set(controlled).size).toBe(controlled.length);
  });

  test('every field has a rule: numbers in NUMBER_RULES, enums in ENUM_RULES', () => {
    for (const key of KEYS) {
      const isNumber = typeof DEFAULT_ANALYSIS_PARAMS[key] === 'number';
      expect(NUMBER_RULES[key] !== undefined, key).toBe(isNumber);
      expect(key in ENUM_RULES, key).toBe(!isNumber);
    }
  });

  test('every control has a label, a one-line description and a known group', () => {
    const groups = PARAM_GROUPS.map((group) => group.id);
    for (const control of PARAM_CONTROLS) {
      expect(control.label.length, control.key).toBeGreaterThan(0);
      expect(control.label.length, control.key).toBeLessThanOrEqual(20);
      expect(control.description, control.key).toMatch(/^\S.*\.$/);
      expect(control.description, control.key).not.toContain('\n');
      expect(control.description.length, control.key).toBeLessThanOrEqual(90);
      expect(groups, control.key).toContain(control.group);
    }
    // Every group holds something.
    for (const group of groups) {
      expect(
        PARAM_CONTROLS.some((control) => control.group === group),
        group,
      ).toBe(true);
    }
  });

  test('number controls carry the validation range of their rule and a matching unit', () => {
    for (const control of PARAM_CONTROLS) {
      if (control.kind !== 'number') continue;
      const rule = NUMBER_RULES[control.key];
      expect(rule, control.key).toBeDefined();
      if (rule === undefined) continue;
      expect([control.min, control.max, control.integer], control.key).toEqual([
        rule.min,
        rule.max,
        rule.integer,
      ]);
      expect(control.unit, control.key).toBe(UNIT_OF_RULE[rule.what]);
      // The unit is also in the field's name where the name says one.
      if (/Px$/.test(control.key)) expect(control.unit, control.key).toBe('px');
      if (/M2$/.test(control.key)) expect(control.unit, control.key).toBe('m²');
      if (/Pct$/.test(control.key)) expect(control.unit, control.key).toBe('%');
      if (/Dn$/.test(control.key)) expect(control.unit, control.key).toBe('DN');
    }
  });

  test('slider ranges lie inside the validation range, hold the default, and step sensibly', () => {
    for (const control of PARAM_CONTROLS) {
      if (control.kind !== 'number') continue;
      const value = DEFAULT_ANALYSIS_PARAMS[control.key];
      expect(control.sliderMin, control.key).toBeGreaterThanOrEqual(control.min);
      expect(control.sliderMax, control.key).toBeLessThanOrEqual(control.max);
      expect(control.sliderMin, control.key).toBeLessThan(control.sliderMax);
      expect(value, control.key).toBeGreaterThanOrEqual(control.sliderMin);
      expect(value, control.key).toBeLessThanOrEqual(control.sliderMax);
      expect(control.step, control.key).toBeGreaterThan(0);
      if (control.integer) expect(Number.isInteger(control.step), control.key).toBe(true);
      // The default sits on the slider's grid, so the slider can show it exactly.
      const steps = (value - control.sliderMin) / control.step;
      expect(Math.abs(steps - Math.round(steps)), control.key).toBeLessThan(1e-9);
      // Both slider ends are valid values on their own.
      for (const end of [control.sliderMin, control.sliderMax]) {
        const problems = analysisParamsProblems({ ...DEFAULT_ANALYSIS_PARAMS, [control.key]: end });
        expect(
          problems.filter((problem) => problem.startsWith(`${control.key} must`)),
          `${control.key} = ${end}`,
        ).toEqual([]);
      }
    }
  });

  test('enum controls offer exactly the values of ENUM_RULES, each with a label', () => {
    for (const control of PARAM_CONTROLS) {
      if (control.kind !== 'enum') continue;
      expect(control.options.map((option) => option.value)).toEqual([...ENUM_RULES[control.key]]);
      for (const option of control.options) expect(option.label.length).toBeGreaterThan(0);
      expect(control.options.map((option) => option.value)).toContain(
        DEFAULT_ANALYSIS_PARAMS[control.key],
      );
    }
  });

  test('nonDefaultParams and describeParams name only what changed', () => {
    expect(nonDefaultParams(DEFAULT_ANALYSIS_PARAMS)).toEqual({});
    expect(describeParams(DEFAULT_ANALYSIS_PARAMS)).toBe('default parameters');
    const changed = { ...DEFAULT_ANALYSIS_PARAMS, thresholdDn: 45, thresholdMode: 'otsu' as const };
    expect(nonDefaultParams(changed)).toEqual({ thresholdMode: 'otsu', thresholdDn: 45 });
    expect(describeParams(changed)).toBe('thresholdMode otsu, thresholdDn 45');
  });
});

/**
 * How each AnalysisParams field is shown as a control: label, unit, slider
 * range and step, a one-line description, and the group it sits in. The
 * validation range (min, max, whole numbers) is not restated here: it comes
 * from NUMBER_RULES and the enum values from ENUM_RULES in params.ts, so the
 * controls and the validation cannot drift apart (tests/unit/params-schema.test.ts
 * checks the rest: every field has exactly one control, slider ranges lie
 * inside the validation range and hold the default, units match the rules).
 */
import {
  DEFAULT_ANALYSIS_PARAMS,
  ENUM_RULES,
  NUMBER_RULES,
  type AnalysisParams,
} from './params.ts';

export type ParamGroupId =
  'normalization' | 'smoothing' | 'occupancy' | 'change' | 'morphology' | 'estimate';

export interface ParamGroup {
  readonly id: ParamGroupId;
  readonly label: string;
}

/** The groups in the order the panel shows them. */
export const PARAM_GROUPS: readonly ParamGroup[] = [
  { id: 'normalization', label: 'Normalization' },
  { id: 'smoothing', label: 'Smoothing & matching' },
  { id: 'occupancy', label: 'Occupancy & shadows' },
  { id: 'change', label: 'Change' },
  { id: 'morphology', label: 'Morphology' },
  { id: 'estimate', label: 'Estimate' },
];

type NumberKey = {
  [K in keyof AnalysisParams]: AnalysisParams[K] extends number ? K : never;
}[keyof AnalysisParams];
type EnumKey = keyof typeof ENUM_RULES;

export interface NumberControlSpec {
  readonly kind: 'number';
  readonly key: NumberKey;
  readonly group: ParamGroupId;
  readonly label: string;
  /** Shown after the value: '%', 'px', 'DN', 'm²', or '' for plain ratios. */
  readonly unit: string;
  readonly description: string;
  /**
   * Validation range (NUMBER_RULES): the numeric input accepts all of it but
   * the gap some thresholds keep above 0 (smallestAboveZero), refused by name.
   */
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  /** Slider range: the useful part of the validation range. */
  readonly sliderMin: number;
  readonly sliderMax: number;
  readonly step: number;
}

export interface EnumControlSpec {
  readonly kind: 'enum';
  readonly key: EnumKey;
  readonly group: ParamGroupId;
  readonly label: string;
  readonly description: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
}

export type ControlSpec = NumberControlSpec | EnumControlSpec;

/** Units by NumberRule.what; a rule with another `what` has no control until it gets one here. */
export const UNIT_OF_RULE: Readonly<Record<string, string>> = {
  percent: '%',
  pixels: 'px',
  DN: 'DN',
  'm²': 'm²',
  'a fraction': '',
};

function numberControl(
  key: NumberKey,
  group: ParamGroupId,
  label: string,
  slider: readonly [min: number, max: number, step: number],
  description: string,
): NumberControlSpec {
  const rule = NUMBER_RULES[key];
  if (rule === undefined) throw new Error(`internal: ${key} has no number rule`);
  const unit = UNIT_OF_RULE[rule.what];
  if (unit === undefined) throw new Error(`internal: no unit for "${rule.what}" (${key})`);
  const [sliderMin, sliderMax, step] = slider;
  return {
    kind: 'number',
    key,
    group,
    label,
    unit,
    description,
    min: rule.min,
    max: rule.max,
    integer: rule.integer,
    sliderMin,
    sliderMax,
    step,
  };
}

function enumControl<K extends EnumKey>(
  key: K,
  group: ParamGroupId,
  label: string,
  optionLabels: { readonly [V in (typeof ENUM_RULES)[K][number]]: string },
  description: string,
): EnumControlSpec {
  const values: readonly string[] = ENUM_RULES[key];
  const labels = optionLabels as Readonly<Record<string, string>>;
  return {
    kind: 'enum',
    key,
    group,
    label,
    description,
    options: values.map((value) => ({ value, label: labels[value] ?? value })),
  };
}

/** One control per AnalysisParams field, grouped, in panel order. */
export const PARAM_CONTROLS: readonly ControlSpec[] = [
  numberControl(
    'normalizeLowPct',
    'normalization',
    'Low percentile',
    [0, 25, 0.5],
    'Lower percentile of each band matched from after to before (first pass).',
  ),
  numberControl(
    'normalizeHighPct',
    'normalization',
    'High percentile',
    [75, 100, 0.5],
    'Upper percentile of each band matched from after to before (first pass).',
  ),
  numberControl(
    'invariantPct',
    'normalization',
    'Refit share',
    [0, 100, 1],
    'Share of the overlap, least changed first, used to refit gain and offset (0 = off).',
  ),
  enumControl(
    'sharpnessMatching',
    'smoothing',
    'Sharpness matching',
    { resampling: 'soften the sharper date', off: 'off' },
    'Blur the sharper date by the blur that resampling added to the after image.',
  ),
  numberControl(
    'blurRadiusPx',
    'smoothing',
    'Blur radius',
    [0, 6, 1],
    'Gaussian smoothing of every band of both dates before anything is compared.',
  ),
  numberControl(
    'matchRadiusPx',
    'smoothing',
    'Match radius',
    [0, 4, 1],
    'Misregistration tolerance: compare with the best match within this radius.',
  ),
  enumControl(
    'thresholdMode',
    'occupancy',
    'Thresholds',
    { manual: 'as set below', otsu: 'Otsu per date' },
    'Use the object and change thresholds as set, or pick them by Otsu per date.',
  ),
  numberControl(
    'thresholdDn',
    'occupancy',
    'Object threshold',
    [0, 120, 1],
    'Colour distance from the bare pier surface above which a pixel is an object.',
  ),
  numberControl(
    'brightnessWeight',
    'occupancy',
    'Brightness weight',
    [0, 1, 0.01],
    'Weight of a pure brightness difference against a hue difference (1 = plain RGB).',
  ),
  numberControl(
    'textureThresholdDn',
    'occupancy',
    'Texture threshold',
    [0, 60, 1],
    'Local texture that scores like the object threshold of colour (0 = off).',
  ),
  numberControl(
    'textureRadiusPx',
    'occupancy',
    'Texture radius',
    [1, 6, 1],
    'Radius over which the texture (mean |high-pass| of luminance) is averaged.',
  ),
  enumControl(
    'shadowHandling',
    'occupancy',
    'Shadows',
    { colour: 'colour test', off: 'off' },
    'Surface or a match in shadow is neither an object nor a change.',
  ),
  numberControl(
    'shadowMinLumRatio',
    'occupancy',
    'Shadow darkest',
    [0, 1, 0.01],
    'A shadow keeps at least this fraction of the brightness of what it falls on.',
  ),
  numberControl(
    'shadowMaxLumRatio',
    'occupancy',
    'Shadow lightest',
    [0, 1, 0.01],
    'A shadow keeps at most this fraction of the brightness of what it falls on.',
  ),
  numberControl(
    'shadowChromaTolerance',
    'occupancy',
    'Shadow tint',
    [0, 0.5, 0.01],
    'How far a shadow may depart from a uniform darkening (blue up to twice this).',
  ),
  numberControl(
    'changeThresholdDn',
    'change',
    'Change threshold',
    [0, 120, 1],
    'Colour distance to the best match in the other date above which a pixel changed.',
  ),
  numberControl(
    'unchangedChangeFraction',
    'change',
    'Unchanged below',
    [0, 1, 0.05],
    'Change under this share of its threshold: one decision for both dates (0: each alone).',
  ),
  numberControl(
    'openRadiusPx',
    'morphology',
    'Opening radius',
    [0, 6, 1],
    'Opening removes lines, noise and slivers thinner than this disc.',
  ),
  numberControl(
    'closeRadiusPx',
    'morphology',
    'Closing radius',
    [0, 6, 1],
    'Closing fills gaps narrower than this disc.',
  ),
  numberControl(
    'maxHoleM2',
    'morphology',
    'Largest hole filled',
    [0, 1000, 5],
    'Holes enclosed by a blob up to this area are filled.',
  ),
  numberControl(
    'minAreaM2',
    'morphology',
    'Smallest blob',
    [0, 500, 5],
    'Blobs smaller than this are dropped: trucks, debris.',
  ),
  numberControl(
    'fillFactor',
    'estimate',
    'Fill factor',
    [0.5, 1.2, 0.01],
    "Share of a blob's area that is container roof (blobs include the gaps).",
  ),
  numberControl(
    'fillFactorSpread',
    'estimate',
    'Fill factor ±',
    [0, 0.3, 0.01],
    'The low–high range: fill factor minus and plus this.',
  ),
  numberControl(
    'teuFootprintM2',
    'estimate',
    'TEU footprint',
    [10, 30, 0.01],
    'Ground area of one 20-ft container (6.058 m × 2.438 m = 14.77 m²).',
  ),
];

/** Only the fields that differ from the defaults, in canonical order (for URLs and notices). */
export function nonDefaultParams(
  params: AnalysisParams,
): Partial<Record<keyof AnalysisParams, unknown>> {
  const changed: Partial<Record<keyof AnalysisParams, unknown>> = {};
  for (const key of Object.keys(DEFAULT_ANALYSIS_PARAMS) as (keyof AnalysisParams)[]) {
    if (params[key] !== DEFAULT_ANALYSIS_PARAMS[key]) changed[key] = params[key];
  }
  return changed;
}

/** "default parameters", or e.g. "thresholdDn 40, minAreaM2 80". */
export function describeParams(params: AnalysisParams): string {
  const changed = Object.entries(nonDefaultParams(params));
  if (changed.length === 0) return 'default parameters';
  return changed.map(([key, value]) => `${key} ${String(value)}`).join(', ');
}

/**
 * AnalysisParams: every knob of the container analysis in one serializable
 * object, with units in the names. The same object drives the UI, the URL,
 * the session file, the PNG metadata and the CLI (DESIGN.md), so it is plain
 * JSON: numbers, booleans and string enums, no nesting.
 *
 * Defaults are tuned on generated demo scenes (seeds 201–208 of
 * scripts/accuracy.ts) and scored on other seeds (101 onwards).
 */

export type ThresholdMode = 'manual' | 'otsu';
export type ShadowHandling = 'colour' | 'off';
export type SharpnessMatching = 'resampling' | 'off';

export interface AnalysisParams {
  /**
   * Radiometric normalization of after to before, per band: gain and offset
   * from the lower and upper percentiles of the overlap (first pass), then
   * refit on the pixels that changed least (second pass).
   */
  readonly normalizeLowPct: number;
  readonly normalizeHighPct: number;
  /** Share of the overlap, least changed first, used for the second pass (0 turns it off). */
  readonly invariantPct: number;
  /**
   * 'resampling': the sharper date is blurred by the variance that resampling
   * added to the after image (AnalysisInput.afterBlurExcessPx2), so edges look
   * alike at both dates and neither date collects more edge halo.
   */
  readonly sharpnessMatching: SharpnessMatching;
  /** Gaussian smoothing of every band of both dates before anything is compared. */
  readonly blurRadiusPx: number;
  /**
   * Misregistration tolerance: a pixel is compared with the best-matching
   * pixel of the other date within this radius (disc).
   */
  readonly matchRadiusPx: number;
  /** How the two thresholds below are set: as given, or by Otsu per date over the ROIs. */
  readonly thresholdMode: ThresholdMode;
  /** Occupancy: RGB distance from the ROI's bare surface colour above which a pixel is an object. */
  readonly thresholdDn: number;
  /**
   * Weight of a pure brightness difference from the surface against a hue
   * difference (1 = plain RGB distance); bare decks vary in brightness
   * (stains, wear) more than in hue.
   */
  readonly brightnessWeight: number;
  /**
   * Texture (local mean |high-pass| of luminance) that scores like thresholdDn
   * of colour: blocks of containers are textured, bare decks smooth (0 = off).
   */
  readonly textureThresholdDn: number;
  readonly textureRadiusPx: number;
  /** Change: RGB distance to the best match in the other date above which a pixel changed. */
  readonly changeThresholdDn: number;
  /**
   * A pixel whose change score is below this fraction of the change
   * threshold in both directions is the same ground at both dates: it is
   * occupied at both or at neither, decided once from both dates' occupancy
   * scores together (their sum against the sum of the thresholds), so
   * unchanged ground counts the same at both dates and drops out of the net.
   * 0 = each date decides alone. At most 1, so a changed pixel (appeared,
   * disappeared) is never one of these; 0 or at least a millionth, so the
   * limit never falls to an f32 subnormal that a GPU may flush to 0.
   */
  readonly unchangedChangeFraction: number;
  /** 'colour': pixels that look like the surface (or a match) in shadow are not objects or change. */
  readonly shadowHandling: ShadowHandling;
  /** A shadow keeps between these fractions of the luminance of what it falls on. */
  readonly shadowMinLumRatio: number;
  readonly shadowMaxLumRatio: number;
  /**
   * Largest chromatic departure of a shadow from a uniform darkening: the
   * per-band ratios (shadow ÷ lit) may differ from their mean by this much,
   * and blue may exceed red by up to twice this (skylight tints shadows blue).
   */
  readonly shadowChromaTolerance: number;
  /** Morphological opening (removes lines, noise, slivers) then closing (fills gaps), disc radius. */
  readonly openRadiusPx: number;
  readonly closeRadiusPx: number;
  /** Holes in blobs (enclosed, not touching the ROI edge) up to this area are filled. */
  readonly maxHoleM2: number;
  /** Blobs (8-connected) smaller than this are dropped: trucks, debris. */
  readonly minAreaM2: number;
  /** Share of a blob's area that is container roof (blobs include the gaps between containers). */
  readonly fillFactor: number;
  /** Ground footprint of one TEU (20-ft container, 6.058 m × 2.438 m). */
  readonly teuFootprintM2: number;
  /** The low–high range: fill factor ± this, and the blob's rim of one pixel out or in. */
  readonly fillFactorSpread: number;
}

export const DEFAULT_ANALYSIS_PARAMS: AnalysisParams = {
  normalizeLowPct: 10,
  normalizeHighPct: 90,
  invariantPct: 50,
  sharpnessMatching: 'resampling',
  blurRadiusPx: 1,
  matchRadiusPx: 1,
  thresholdMode: 'manual',
  thresholdDn: 30,
  brightnessWeight: 0.6,
  textureThresholdDn: 14,
  textureRadiusPx: 2,
  changeThresholdDn: 30,
  unchangedChangeFraction: 0.25,
  shadowHandling: 'colour',
  shadowMinLumRatio: 0.2,
  shadowMaxLumRatio: 0.65,
  shadowChromaTolerance: 0.12,
  openRadiusPx: 2,
  closeRadiusPx: 3,
  maxHoleM2: 150,
  minAreaM2: 60,
  fillFactor: 0.97,
  teuFootprintM2: 14.77,
  fillFactorSpread: 0.05,
};

export interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  /** Unit or meaning, for messages. */
  readonly what: string;
  /**
   * Set where 0 switches a stage off or lets every difference through: values
   * between 0 and this are refused. Much below it a threshold is no longer one
   * number on both backends (the GPU may flush an f32 subnormal to 0, and
   * 64 ÷ t or score ÷ t overflow f32).
   */
  readonly smallestAboveZero?: number;
}

/**
 * Thresholds in DN: 0, or at least a millionth of a DN. Below that the f32
 * arithmetic gives out (1e-38 overflows 64 ÷ t; 1e-40 is subnormal), while any
 * threshold an analyst or a saved session means stays accepted.
 */
const DN_THRESHOLD_RULE: NumberRule = {
  min: 0,
  max: 1e6,
  integer: false,
  what: 'DN',
  smallestAboveZero: 1e-6,
};

/** Validation range of every numeric field (params-schema.ts builds the UI controls on it). */
export const NUMBER_RULES: { readonly [K in keyof AnalysisParams]?: NumberRule } = {
  normalizeLowPct: { min: 0, max: 49, integer: false, what: 'percent' },
  normalizeHighPct: { min: 51, max: 100, integer: false, what: 'percent' },
  invariantPct: { min: 0, max: 100, integer: false, what: 'percent' },
  blurRadiusPx: { min: 0, max: 16, integer: true, what: 'pixels' },
  matchRadiusPx: { min: 0, max: 8, integer: true, what: 'pixels' },
  thresholdDn: DN_THRESHOLD_RULE,
  brightnessWeight: { min: 0, max: 1, integer: false, what: 'a fraction' },
  textureThresholdDn: DN_THRESHOLD_RULE,
  textureRadiusPx: { min: 1, max: 16, integer: true, what: 'pixels' },
  changeThresholdDn: DN_THRESHOLD_RULE,
  unchangedChangeFraction: {
    min: 0,
    max: 1,
    integer: false,
    what: 'a fraction',
    smallestAboveZero: 1e-6,
  },
  shadowMinLumRatio: { min: 0, max: 1, integer: false, what: 'a fraction' },
  shadowMaxLumRatio: { min: 0, max: 1, integer: false, what: 'a fraction' },
  shadowChromaTolerance: { min: 0, max: 1, integer: false, what: 'a fraction' },
  openRadiusPx: { min: 0, max: 16, integer: true, what: 'pixels' },
  closeRadiusPx: { min: 0, max: 16, integer: true, what: 'pixels' },
  maxHoleM2: { min: 0, max: 1e7, integer: false, what: 'm²' },
  minAreaM2: { min: 0, max: 1e7, integer: false, what: 'm²' },
  fillFactor: { min: 0.05, max: 1.5, integer: false, what: 'a fraction' },
  teuFootprintM2: { min: 1, max: 100, integer: false, what: 'm²' },
  fillFactorSpread: { min: 0, max: 1, integer: false, what: 'a fraction' },
};

/** The allowed values of every enum field. */
export const ENUM_RULES = {
  thresholdMode: ['manual', 'otsu'],
  shadowHandling: ['colour', 'off'],
  sharpnessMatching: ['resampling', 'off'],
} as const satisfies { readonly [K in keyof AnalysisParams]?: readonly string[] };

const KEYS = Object.keys(DEFAULT_ANALYSIS_PARAMS) as (keyof AnalysisParams)[];

/** Every problem with `params`, one specific message each; empty when valid. */
export function analysisParamsProblems(params: AnalysisParams): string[] {
  const problems: string[] = [];
  for (const key of KEYS) {
    const rule = NUMBER_RULES[key];
    if (rule === undefined) continue;
    const value: unknown = params[key];
    // A unit ("of DN", "0 to 49 percent") or a kind ("a number, a fraction").
    const kind = rule.what.startsWith('a ');
    const of = kind ? `, ${rule.what}` : ` of ${rule.what}`;
    const range = `from ${rule.min} to ${rule.max}${kind ? ',' : ''} ${rule.what}`;
    if (typeof value !== 'number') {
      // Quoted as JSON: a string "30" must not look like the number 30.
      const json = value === undefined ? 'nothing' : JSON.stringify(value);
      const got = json.length > 40 ? `${json.slice(0, 37)}...` : json;
      problems.push(`${key} must be a number${of} (got ${got})`);
    } else if (!Number.isFinite(value)) {
      problems.push(`${key} must be a finite number${of} (got ${String(value)})`);
    } else if (rule.integer && !Number.isInteger(value)) {
      problems.push(`${key} must be a whole number${of} (got ${value})`);
    } else if (value < rule.min || value > rule.max) {
      problems.push(`${key} must be ${range} (got ${value})`);
    } else if (
      rule.smallestAboveZero !== undefined &&
      value > 0 &&
      value < rule.smallestAboveZero
    ) {
      problems.push(
        `${key} must be 0 or from ${rule.smallestAboveZero} to ${rule.max}${kind ? ',' : ''} ${rule.what} (got ${value})`,
      );
    }
  }
  for (const [key, allowed] of Object.entries(ENUM_RULES)) {
    const value: unknown = params[key as keyof typeof ENUM_RULES];
    if (!(allowed as readonly unknown[]).includes(value)) {
      problems.push(`${key} must be one of ${allowed.join(', ')} (got ${String(value)})`);
    }
  }
  if (problems.length === 0 && params.normalizeLowPct >= params.normalizeHighPct) {
    problems.push(
      `normalizeLowPct (${params.normalizeLowPct}) must be below normalizeHighPct (${params.normalizeHighPct})`,
    );
  }
  if (problems.length === 0 && params.shadowMinLumRatio >= params.shadowMaxLumRatio) {
    problems.push(
      `shadowMinLumRatio (${params.shadowMinLumRatio}) must be below shadowMaxLumRatio (${params.shadowMaxLumRatio})`,
    );
  }
  if (problems.length === 0 && params.fillFactorSpread >= params.fillFactor) {
    problems.push(
      `fillFactorSpread (${params.fillFactorSpread}) must be below fillFactor (${params.fillFactor})`,
    );
  }
  return problems;
}

/** Throws one Error listing every problem, or returns the params unchanged. */
export function validateAnalysisParams(params: AnalysisParams): AnalysisParams {
  const problems = analysisParamsProblems(params);
  if (problems.length > 0) throw new Error(`Invalid analysis parameters: ${problems.join('; ')}`);
  return params;
}

/** JSON text of the params, keys in the canonical order. */
export function analysisParamsToJson(params: AnalysisParams): string {
  validateAnalysisParams(params);
  const ordered: Record<string, unknown> = {};
  for (const key of KEYS) ordered[key] = params[key];
  return JSON.stringify(ordered);
}

/**
 * Params from JSON text: missing keys take their defaults (so older session
 * files still load), unknown keys are refused by name, values are validated.
 */
export function analysisParamsFromJson(text: string): AnalysisParams {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Analysis parameters are not JSON: ${reason}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('Analysis parameters must be a JSON object of named values');
  }
  const record = parsed as Record<string, unknown>;
  const unknownKeys = Object.keys(record).filter(
    (key) => !(KEYS as readonly string[]).includes(key),
  );
  if (unknownKeys.length > 0) {
    throw new Error(`Unknown analysis parameter(s): ${unknownKeys.join(', ')}`);
  }
  // Values of any type may come in here; validation checks each one.
  const merged = { ...DEFAULT_ANALYSIS_PARAMS, ...record };
  return validateAnalysisParams(merged);
}

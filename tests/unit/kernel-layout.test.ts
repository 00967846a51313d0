import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  DIFFERENCE_PARAMS_LAYOUT,
  linearDispatch,
  MAX_WORKGROUPS_PER_DIMENSION,
  VIEW_MODE,
  VIEW_OVERLAY_UNIFORMS_LAYOUT,
  VIEW_UNIFORMS_LAYOUT,
  type StructLayout,
} from '../../src/core/kernel-layout.ts';
import { MORPHOLOGY_STEP_CODE } from '../../src/core/morphology.ts';
import { THRESHOLD_BITS_COMBINE_CODE } from '../../src/core/threshold.ts';
import {
  CCL_BORDER_WORKGROUP_SIZE,
  CCL_PARAMS_LAYOUT,
  CCL_SCAN_PIXELS_PER_INVOCATION,
  CCL_TILE_HEIGHT,
  CCL_TILE_THREAD_ROWS,
  CCL_TILE_WIDTH,
} from '../../src/core/kernel-layout.ts';
import {
  BLUR_PARAMS_LAYOUT,
  gridDispatch,
  HISTOGRAM_PARAMS_LAYOUT,
  MORPHOLOGY_PARAMS_LAYOUT,
  THRESHOLD_BITS_PARAMS_LAYOUT,
  THRESHOLD_PARAMS_LAYOUT,
} from '../../src/core/kernel-layout.ts';
import {
  COMPONENT_STATS_MAX_ROIS,
  COMPONENT_STATS_PARAMS_LAYOUT,
  COMPONENT_STATS_RECORD_WORDS,
} from '../../src/core/kernel-layout.ts';
import {
  CHANGE_PARAMS_LAYOUT,
  OCCUPANCY_PARAMS_LAYOUT,
  packUniform,
  TEXTURE_PARAMS_LAYOUT,
} from '../../src/core/kernel-layout.ts';

/** Field names and types of `struct Name { ... }` in WGSL source, in order. */
function wgslStruct(source: string, name: string): { name: string; type: string }[] {
  const match = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(source);
  if (match === null) throw new Error(`struct ${name} not found`);
  return (match[1] ?? '')
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field.length > 0)
    .map((field) => {
      const [fieldName = '', type = ''] = field.split(':').map((part) => part.trim());
      return { name: fieldName, type };
    });
}

const SIZE: Record<string, number> = { u32: 4, f32: 4, 'vec2<f32>': 8, 'vec4<f32>': 16 };

function checkLayout(shaderFile: string, layout: StructLayout): void {
  const source = readFileSync(`shaders/${shaderFile}`, 'utf8');
  const fields = wgslStruct(source, layout.wgslName);
  expect(fields).toEqual(
    layout.fields.map((field) => ({ name: field.name, type: field.wgslType })),
  );
  // Offsets follow WGSL alignment (size = alignment for these types) with no holes.
  let offset = 0;
  for (const field of layout.fields) {
    const size = SIZE[field.wgslType] ?? 0;
    offset = Math.ceil(offset / size) * size;
    expect(field.byteOffset, field.name).toBe(offset);
    offset += size;
  }
  expect(layout.byteLength).toBe(Math.ceil(offset / 16) * 16);
}

describe('constants shared by TypeScript and WGSL', () => {
  test('DifferenceParams matches shaders/difference.wgsl', () => {
    checkLayout('difference.wgsl', DIFFERENCE_PARAMS_LAYOUT);
  });

  test('ViewUniforms matches shaders/view.wgsl', () => {
    checkLayout('view.wgsl', VIEW_UNIFORMS_LAYOUT);
  });

  test('OverlayUniforms matches shaders/view-overlay.wgsl', () => {
    checkLayout('view-overlay.wgsl', VIEW_OVERLAY_UNIFORMS_LAYOUT);
  });

  test('view modes and morphology operations: the shaders name the same numbers', () => {
    const codes = (file: string, prefix: string): Record<string, number> => {
      const source = readFileSync(`shaders/${file}`, 'utf8');
      const pattern = new RegExp(`^const ${prefix}([A-Z_]+): u32 = (\\d+)u;`, 'gm');
      return Object.fromEntries(
        [...source.matchAll(pattern)].map((m) => [(m[1] ?? '').toLowerCase(), Number(m[2])]),
      );
    };
    expect(codes('view.wgsl', 'MODE_')).toEqual(VIEW_MODE);
    expect(codes('morphology.wgsl', 'OPERATION_')).toEqual(MORPHOLOGY_STEP_CODE);
    expect(codes('morphology.wgsl', 'COMBINE_')).toEqual(THRESHOLD_BITS_COMBINE_CODE);
    // Compared only against those names, never a bare number.
    expect(readFileSync('shaders/view.wgsl', 'utf8')).not.toMatch(/view\.mode\s*==\s*\d/);
    expect(readFileSync('shaders/morphology.wgsl', 'utf8')).not.toMatch(
      /params\.operation\s*==\s*\d/,
    );
  });

  test('every compute shader takes its workgroup size as an override, never a literal', () => {
    for (const file of readdirSync('shaders').filter((name) => name.endsWith('.wgsl'))) {
      const source = readFileSync(`shaders/${file}`, 'utf8');
      for (const match of source.matchAll(/@workgroup_size\(([^)]*)\)/g)) {
        expect(match[1], file).toMatch(/^[A-Z_]+(,\s*[A-Z_]+)*$/);
      }
      expect(source.trimStart().startsWith('//'), `${file} opens with a prose block`).toBe(true);
    }
  });

  test('linearDispatch covers every item and folds into 2-D past the per-dimension limit', () => {
    expect(linearDispatch(1, 256)).toEqual({ x: 1, y: 1, rowStride: 256 });
    expect(linearDispatch(257, 256)).toEqual({ x: 2, y: 1, rowStride: 512 });
    const big = linearDispatch(64 * 1024 * 1024, 64);
    expect(big.x).toBeLessThanOrEqual(MAX_WORKGROUPS_PER_DIMENSION);
    expect(big.x * big.y * 64).toBeGreaterThanOrEqual(64 * 1024 * 1024);
    expect((big.y - 1) * big.rowStride).toBeLessThan(64 * 1024 * 1024);
    // Rows as short as the row count allows: fewer than y workgroups spare.
    for (const items of [64 * 1024 * 1024, 65536 * 256, 65535 * 256 + 1, 3 * 65535 * 64 + 7]) {
      const size = items % 256 === 0 ? 256 : 64;
      const { x, y } = linearDispatch(items, size);
      const groups = Math.ceil(items / size);
      expect([x * y >= groups, x * y - groups < y, x <= MAX_WORKGROUPS_PER_DIMENSION]).toEqual([
        true,
        true,
        true,
      ]);
    }
    // 65,536 workgroups: two rows of 32,768, not 65,535 + 1 with 65,534 idle.
    expect(linearDispatch(65536 * 256, 256)).toMatchObject({ x: 32768, y: 2 });
  });

  test('CclParams matches both labelling shaders', () => {
    checkLayout('ccl-label.wgsl', CCL_PARAMS_LAYOUT);
    checkLayout('ccl-dense.wgsl', CCL_PARAMS_LAYOUT);
  });

  test('labelling tiles fit default limits and borderMerge covers a tile border', () => {
    const rowsPerInvocation = CCL_TILE_HEIGHT / CCL_TILE_THREAD_ROWS;
    expect(Number.isInteger(rowsPerInvocation) && rowsPerInvocation <= 32).toBe(true);
    expect(CCL_TILE_WIDTH * CCL_TILE_THREAD_ROWS).toBeLessThanOrEqual(256);
    // Two u32 per tile pixel in workgroup memory, within the default 16 KiB.
    expect(2 * 4 * CCL_TILE_WIDTH * CCL_TILE_HEIGHT).toBeLessThanOrEqual(16384);
    expect(CCL_TILE_WIDTH + 2 * (CCL_TILE_HEIGHT - 1)).toBeLessThanOrEqual(
      CCL_BORDER_WORKGROUP_SIZE,
    );
    expect(CCL_BORDER_WORKGROUP_SIZE).toBeLessThanOrEqual(256);
    expect(CCL_SCAN_PIXELS_PER_INVOCATION).toBeLessThanOrEqual(32);
  });

  test('raster-stage params match blur, histogram, threshold and morphology shaders', () => {
    checkLayout('blur.wgsl', BLUR_PARAMS_LAYOUT);
    checkLayout('histogram.wgsl', HISTOGRAM_PARAMS_LAYOUT);
    checkLayout('threshold.wgsl', THRESHOLD_PARAMS_LAYOUT);
    checkLayout('morphology.wgsl', MORPHOLOGY_PARAMS_LAYOUT);
    checkLayout('morphology.wgsl', THRESHOLD_BITS_PARAMS_LAYOUT);
  });

  test('gridDispatch covers 8192² in 16 × 16 tiles and refuses what cannot be dispatched', () => {
    expect(gridDispatch(1, 1)).toEqual({ x: 1, y: 1 });
    expect(gridDispatch(17, 16)).toEqual({ x: 2, y: 1 });
    expect(gridDispatch(8192, 8192)).toEqual({ x: 512, y: 512 });
    expect(() => gridDispatch(16 * MAX_WORKGROUPS_PER_DIMENSION + 1, 1)).toThrow(/workgroups/);
  });
});

describe('component statistics constants (shaders/component-stats.wgsl)', () => {
  test('ComponentStatsParams and the record constants match the shader', () => {
    checkLayout('component-stats.wgsl', COMPONENT_STATS_PARAMS_LAYOUT);
    const source = readFileSync('shaders/component-stats.wgsl', 'utf8');
    expect(source).toContain(`const RECORD_WORDS: u32 = ${COMPONENT_STATS_RECORD_WORDS}u;`);
    expect(source).toContain(`const MAX_ROIS: u32 = ${COMPONENT_STATS_MAX_ROIS}u;`);
  });
});

describe('occupancy, texture and change constants (shaders/occupancy.wgsl, texture.wgsl, change.wgsl)', () => {
  test('OccupancyParams, TextureParams and ChangeParams match their shaders', () => {
    checkLayout('occupancy.wgsl', OCCUPANCY_PARAMS_LAYOUT);
    checkLayout('texture.wgsl', TEXTURE_PARAMS_LAYOUT);
    checkLayout('change.wgsl', CHANGE_PARAMS_LAYOUT);
  });

  test('packUniform writes u32, f32 and vec4 fields at their offsets and refuses unknown names', () => {
    const data = packUniform(CHANGE_PARAMS_LAYOUT, {
      width: 7,
      radiusPx: 2,
      shadowChromaTolerance: 0.125,
      luma: [0.25, 0.5, 0.125],
    });
    expect(data.byteLength).toBe(48);
    const u32 = new Uint32Array(data);
    const f32 = new Float32Array(data);
    expect([u32[0], u32[1], u32[2], f32[6], f32[8], f32[9], f32[10], f32[11]]).toEqual([
      7, 0, 2, 0.125, 0.25, 0.5, 0.125, 0,
    ]);
    expect(() => packUniform(CHANGE_PARAMS_LAYOUT, { widthPx: 1 })).toThrow(/widthPx/);
    expect(() => packUniform(CHANGE_PARAMS_LAYOUT, { width: -1 })).toThrow(/u32/);
  });
});

describe('radiometric normalization constants (shaders/normalization-*.wgsl)', () => {
  test('ReduceParams and PixelParams match their shaders; bins and tree sizes fit', async () => {
    const layout = await import('../../src/core/kernel-layout.ts');
    const { QUANTILE_BINS } = await import('../../src/core/analysis/quantiles.ts');
    checkLayout('normalization-reduce.wgsl', layout.NORMALIZATION_REDUCE_PARAMS_LAYOUT);
    checkLayout('normalization-pixel.wgsl', layout.NORMALIZATION_PIXEL_PARAMS_LAYOUT);
    const pixel = readFileSync('shaders/normalization-pixel.wgsl', 'utf8');
    expect(pixel).toContain(`const SUM_WORDS: u32 = ${layout.NORMALIZATION_SUM_WORDS}u;`);
    expect(QUANTILE_BINS).toBe(layout.NORMALIZATION_HISTOGRAM_BINS);
    // The privatized histogram fits the default 16 KiB of workgroup memory.
    expect(4 * layout.NORMALIZATION_HISTOGRAM_BINS).toBeLessThanOrEqual(16384);
    // The sums' tree halves the workgroup: a power of two, and ≤ 256 invocations.
    const size = layout.NORMALIZATION_WORKGROUP_SIZE;
    expect(size & (size - 1)).toBe(0);
    expect(size).toBeLessThanOrEqual(256);
    // Per-workgroup counts stay exact in an f32 (≤ 2²⁴ pixels per record).
    expect(size * layout.NORMALIZATION_PIXELS_PER_INVOCATION).toBeLessThanOrEqual(2 ** 24);
  });

  test('MaskCombineParams matches shaders/mask-combine.wgsl', async () => {
    const { MASK_COMBINE_PARAMS_LAYOUT } = await import('../../src/core/kernel-layout.ts');
    checkLayout('mask-combine.wgsl', MASK_COMBINE_PARAMS_LAYOUT);
  });
});

describe('surface, hole-fill, component-estimate, mask-pack and change-magnitude constants (shaders/surface-histogram.wgsl, hole-fill.wgsl, component-estimate.wgsl, mask-pack.wgsl, change-magnitude.wgsl)', () => {
  test('their params match the shaders; bins and ROI groups fit the kernels', async () => {
    const layout = await import('../../src/core/kernel-layout.ts');
    const { QUANTILE_BINS } = await import('../../src/core/analysis/quantiles.ts');
    checkLayout('surface-histogram.wgsl', layout.SURFACE_HISTOGRAM_PARAMS_LAYOUT);
    checkLayout('hole-fill.wgsl', layout.HOLE_FILL_PARAMS_LAYOUT);
    checkLayout('component-estimate.wgsl', layout.COMPONENT_ESTIMATE_PARAMS_LAYOUT);
    checkLayout('mask-pack.wgsl', layout.MASK_PACK_PARAMS_LAYOUT);
    checkLayout('change-magnitude.wgsl', layout.CHANGE_MAGNITUDE_PARAMS_LAYOUT);
    // The surface kernel's binary search halves BINS down to 1: a power of two.
    expect(QUANTILE_BINS & (QUANTILE_BINS - 1)).toBe(0);
    // One ROI group is the bits of one u32 word.
    const estimate = readFileSync('shaders/component-estimate.wgsl', 'utf8');
    expect(layout.COMPONENT_ESTIMATE_ROIS_PER_PASS).toBe(32);
    expect(estimate).toContain(
      `const ROIS_PER_PASS: u32 = ${layout.COMPONENT_ESTIMATE_ROIS_PER_PASS}u;`,
    );
    for (const size of [
      layout.SURFACE_HISTOGRAM_WORKGROUP_SIZE,
      layout.COMPONENT_PASS_WORKGROUP_SIZE,
      layout.MASK_PACK_WORKGROUP_SIZE,
      layout.CHANGE_MAGNITUDE_WORKGROUP_SIZE,
    ]) {
      expect(size).toBeLessThanOrEqual(256);
    }
    const geometry = layout.componentPassGeometry(100, 3);
    expect(geometry.segmentsPerRow).toBe(Math.ceil(100 / layout.COMPONENT_PASS_RUN_PX));
    expect(geometry.segmentCount).toBe(geometry.segmentsPerRow * 3);
    // At 64 Mpx the per-pixel passes fold into 2-D (the runs still fit one row of
    // workgroups), and a lower limit folds both sooner.
    const large = layout.componentPassGeometry(8192, 8192);
    expect([large.segments.x, large.segments.y]).toEqual([32768, 1]);
    // 2^26 pixels, 4 per invocation, 64 invocations per workgroup: 262,144 workgroups in 5 rows.
    expect([large.pixels.x, large.pixels.y]).toEqual([52429, 5]);
    expect(large.pixels.rowStride).toBe(52429 * layout.COMPONENT_PASS_WORKGROUP_SIZE);
    for (const bad of [0, 2.5, 65536, Number.NaN]) {
      expect(() => layout.componentPassGeometry(10, 10, bad)).toThrow(/integer from 1 to 65535/);
    }
    // The gpu test's folded case: both kinds of pass take rows of at most 40 workgroups
    // (44 workgroups of runs in 2 rows, 350 of pixels in 9).
    const folded = layout.componentPassGeometry(320, 280, 40);
    expect([folded.segments.x, folded.segments.y]).toEqual([22, 2]);
    expect([folded.pixels.x, folded.pixels.y]).toEqual([39, 9]);
    expect(() => layout.componentPassGeometry(320, 280, 3)).toThrow(/exceeds 3² workgroups/);
  });
});

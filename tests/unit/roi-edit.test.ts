import { describe, expect, test } from 'vitest';
import {
  applyEdit,
  canRedo,
  canUndo,
  createEditState,
  editStateFromJson,
  findRoi,
  fractionInsideImage,
  MAX_HISTORY,
  nextPierName,
  redo,
  ringSelfIntersection,
  roiProblems,
  RoiEditError,
  segmentIntersection,
  undo,
  uniqueName,
  type EditRoi,
  type NewRoi,
  type RoiCommand,
  type RoiEditState,
  type Vec2,
} from '../../src/core/roi-edit.ts';

const square = (x: number, y: number, size: number): Vec2[] => [
  [x, y],
  [x + size, y],
  [x + size, y + size],
  [x, y + size],
];

const pier = (name: string, x = 10, y = 10, size = 20): NewRoi => ({
  name,
  polygons: [[square(x, y, size)]],
});

function twoPiers(): RoiEditState {
  return createEditState([pier('Pier 1'), pier('Pier 2', 50, 10)]);
}

function roi(state: RoiEditState, key: number): EditRoi {
  const found = findRoi(state, key);
  if (found === undefined) throw new Error(`no ROI ${key}`);
  return found;
}

const at = (vertex: number) => ({ part: 0, ring: 0, vertex });

describe('edit model: state', () => {
  test('a new state numbers its ROIs from 1, opens closed rings and has no history', () => {
    const closed: NewRoi = {
      name: '  Quay  ',
      featureId: 'q1',
      polygons: [[[...square(0, 0, 4), [0, 0]]]],
    };
    const state = createEditState([closed, pier('Pier 2')]);
    expect(state.rois.map((r) => r.key)).toEqual([1, 2]);
    expect(state.nextKey).toBe(3);
    expect(state.rois[0]?.name).toBe('Quay');
    expect(state.rois[0]?.featureId).toBe('q1');
    expect(state.rois[1]?.featureId).toBeNull();
    expect(state.rois[0]?.polygons[0]?.[0]).toHaveLength(4);
    expect(canUndo(state)).toBe(false);
    expect(canRedo(state)).toBe(false);
  });

  test('duplicate names are made unique, empty names and degenerate rings refused', () => {
    const state = createEditState([pier('A'), pier('A'), pier('A')]);
    expect(state.rois.map((r) => r.name)).toEqual(['A', 'A (2)', 'A (3)']);
    expect(() => createEditState([pier('  ')])).toThrow(RoiEditError);
    expect(() =>
      createEditState([
        {
          name: 'thin',
          polygons: [
            [
              [
                [0, 0],
                [1, 1],
              ],
            ],
          ],
        },
      ]),
    ).toThrow(/fewer than 3/);
    expect(() =>
      createEditState([
        {
          name: 'nan',
          polygons: [
            [
              [
                [0, 0],
                [Number.NaN, 1],
                [2, 2],
              ],
            ],
          ],
        },
      ]),
    ).toThrow(/finite/);
  });

  test('uniqueName and nextPierName', () => {
    const rois = [
      { key: 1, name: 'Pier 1' },
      { key: 2, name: 'Pier 3' },
      { key: 3, name: 'Pier 1 (2)' },
    ];
    expect(uniqueName('Pier 1', rois)).toBe('Pier 1 (3)');
    expect(uniqueName('Pier 1', rois, 1)).toBe('Pier 1');
    expect(uniqueName('Pier 9', rois)).toBe('Pier 9');
    expect(nextPierName(rois)).toBe('Pier 4');
    expect(nextPierName([{ name: 'Pier 2' }])).toBe('Pier 3');
    expect(nextPierName([])).toBe('Pier 1');
  });

  test('the state survives JSON, history included, and a bad one is refused', () => {
    let state = twoPiers();
    state = applyEdit(state, { type: 'rename', key: 1, name: 'North' });
    state = applyEdit(state, { type: 'move-roi', key: 2, dx: 3, dy: -1 });
    state = undo(state);
    const back = editStateFromJson(JSON.parse(JSON.stringify(state)));
    expect(back).toEqual(state);
    expect(redo(back).rois).toEqual(redo(state).rois);
    expect(() => editStateFromJson({ rois: 'x' })).toThrow(RoiEditError);
    expect(() =>
      editStateFromJson({ rois: [{ key: 1, name: 'a', featureId: null, polygons: [[[[0, 0]]]] }] }),
    ).toThrow(/fewer than 3/);
    expect(() =>
      editStateFromJson({
        rois: [
          { key: 1, name: 'a', featureId: null, polygons: [[square(0, 0, 1)]] },
          { key: 1, name: 'b', featureId: null, polygons: [[square(0, 0, 1)]] },
        ],
      }),
    ).toThrow(/share a key/);
    // nextKey is raised above every key in use.
    const low = editStateFromJson({
      rois: [{ key: 7, name: 'a', featureId: null, polygons: [[square(0, 0, 1)]] }],
      nextKey: 2,
    });
    expect(low.nextKey).toBe(8);
  });
});

describe('edit model: commands, each undone and redone', () => {
  /** Applies a command, checks undo restores the ROIs exactly and redo gives the edit back. */
  function roundTrip(state: RoiEditState, command: RoiCommand): RoiEditState {
    const after = applyEdit(state, command);
    expect(after).not.toBe(state);
    expect(after.undo).toHaveLength(state.undo.length + 1);
    expect(after.redo).toEqual([]);
    const undone = undo(after);
    expect(undone.rois).toEqual(state.rois);
    expect(canRedo(undone)).toBe(true);
    const redone = redo(undone);
    expect(redone.rois).toEqual(after.rois);
    expect(canRedo(redone)).toBe(false);
    return after;
  }

  test('add: appended with the next key, name made unique', () => {
    const state = twoPiers();
    const after = roundTrip(state, { type: 'add', roi: pier('Pier 1', 90, 90, 5) });
    expect(after.rois).toHaveLength(3);
    expect(after.rois[2]).toMatchObject({ key: 3, name: 'Pier 1 (2)', featureId: null });
    expect(after.nextKey).toBe(4);
    expect(after.undo.at(-1)?.label).toBe('Add Pier 1 (2)');
    // Keys are never reused, even after an undo.
    const again = applyEdit(undo(after), { type: 'add', roi: pier('X') });
    expect(again.rois[2]?.key).toBe(4);
  });

  test('delete', () => {
    const after = roundTrip(twoPiers(), { type: 'delete', key: 1 });
    expect(after.rois.map((r) => r.name)).toEqual(['Pier 2']);
  });

  test('rename: trimmed, unique, and a rename to the same name is no edit', () => {
    const state = twoPiers();
    const after = roundTrip(state, { type: 'rename', key: 2, name: '  Container quay ' });
    expect(roi(after, 2).name).toBe('Container quay');
    expect(roi(applyEdit(state, { type: 'rename', key: 2, name: 'Pier 1' }), 2).name).toBe(
      'Pier 1 (2)',
    );
    expect(applyEdit(state, { type: 'rename', key: 2, name: 'Pier 2' })).toBe(state);
    expect(() => applyEdit(state, { type: 'rename', key: 2, name: ' ' })).toThrow(RoiEditError);
    expect(() => applyEdit(state, { type: 'rename', key: 9, name: 'x' })).toThrow(/key 9/);
  });

  test('move vertex', () => {
    const state = twoPiers();
    const after = roundTrip(state, { type: 'move-vertex', key: 1, at: at(2), to: [40, 45] });
    expect(roi(after, 1).polygons[0]?.[0]?.[2]).toEqual([40, 45]);
    expect(roi(after, 1).polygons[0]?.[0]?.[1]).toEqual([30, 10]);
    expect(roi(after, 2)).toBe(roi(state, 2)); // untouched ROIs are shared, not copied
    expect(applyEdit(state, { type: 'move-vertex', key: 1, at: at(2), to: [30, 30] })).toBe(state);
    expect(() => applyEdit(state, { type: 'move-vertex', key: 1, at: at(4), to: [0, 0] })).toThrow(
      /no vertex 4/,
    );
    expect(() =>
      applyEdit(state, {
        type: 'move-vertex',
        key: 1,
        at: { part: 0, ring: 1, vertex: 0 },
        to: [0, 0],
      }),
    ).toThrow(/no ring 1/);
  });

  test('insert vertex: at a midpoint, at the start and at the end', () => {
    const state = twoPiers();
    const after = roundTrip(state, { type: 'insert-vertex', key: 1, at: at(1), point: [20, 5] });
    expect(roi(after, 1).polygons[0]?.[0]).toEqual([
      [10, 10],
      [20, 5],
      [30, 10],
      [30, 30],
      [10, 30],
    ]);
    const atEnd = applyEdit(state, { type: 'insert-vertex', key: 1, at: at(4), point: [5, 20] });
    expect(roi(atEnd, 1).polygons[0]?.[0]?.[4]).toEqual([5, 20]);
    expect(() =>
      applyEdit(state, { type: 'insert-vertex', key: 1, at: at(5), point: [0, 0] }),
    ).toThrow(RoiEditError);
  });

  test('delete vertex: a ring keeps three', () => {
    const state = twoPiers();
    const after = roundTrip(state, { type: 'delete-vertex', key: 1, at: at(0) });
    expect(roi(after, 1).polygons[0]?.[0]).toEqual([
      [30, 10],
      [30, 30],
      [10, 30],
    ]);
    expect(() => applyEdit(after, { type: 'delete-vertex', key: 1, at: at(0) })).toThrow(
      /at least 3/,
    );
  });

  test('move pier: every ring of every part, holes included', () => {
    const withHole = createEditState([
      { name: 'Holed', polygons: [[square(0, 0, 10), square(2, 2, 2)], [square(20, 0, 3)]] },
    ]);
    const after = roundTrip(withHole, { type: 'move-roi', key: 1, dx: 5, dy: -2.5 });
    const moved = roi(after, 1).polygons;
    expect(moved[0]?.[1]?.[0]).toEqual([7, -0.5]);
    expect(moved[1]?.[0]?.[2]).toEqual([28, 0.5]);
    expect(applyEdit(withHole, { type: 'move-roi', key: 1, dx: 0, dy: 0 })).toBe(withHole);
  });

  test('replace all: new keys, unique names; undo brings the old set back', () => {
    const state = twoPiers();
    const after = roundTrip(state, {
      type: 'replace-all',
      rois: [pier('Imported'), pier('Imported')],
    });
    expect(after.rois.map((r) => [r.key, r.name])).toEqual([
      [3, 'Imported'],
      [4, 'Imported (2)'],
    ]);
    expect(after.nextKey).toBe(5);
  });
});

describe('edit model: history', () => {
  test('a new edit after an undo clears the redo stack', () => {
    let state = twoPiers();
    state = applyEdit(state, { type: 'rename', key: 1, name: 'A' });
    state = applyEdit(state, { type: 'rename', key: 1, name: 'B' });
    state = undo(state);
    expect(canRedo(state)).toBe(true);
    state = applyEdit(state, { type: 'delete', key: 2 });
    expect(canRedo(state)).toBe(false);
    expect(redo(state)).toBe(state);
    expect(state.rois.map((r) => r.name)).toEqual(['A']);
    // Undo walks back through every edit to the start, then stops.
    state = undo(undo(state));
    expect(state.rois.map((r) => r.name)).toEqual(['Pier 1', 'Pier 2']);
    expect(undo(state)).toBe(state);
  });

  test('several undos and redos in a row restore each step', () => {
    const steps: RoiEditState[] = [twoPiers()];
    const commands: RoiCommand[] = [
      { type: 'add', roi: pier('C', 80, 80) },
      { type: 'move-vertex', key: 3, at: at(0), to: [70, 70] },
      { type: 'rename', key: 3, name: 'Crane yard' },
      { type: 'move-roi', key: 1, dx: 1, dy: 1 },
      { type: 'delete', key: 2 },
    ];
    for (const command of commands) steps.push(applyEdit(steps.at(-1)!, command));
    let state = steps.at(-1)!;
    for (let k = steps.length - 2; k >= 0; k--) {
      state = undo(state);
      expect(state.rois).toEqual(steps[k]!.rois);
    }
    for (let k = 1; k < steps.length; k++) {
      state = redo(state);
      expect(state.rois).toEqual(steps[k]!.rois);
    }
  });

  test(`history keeps the last ${MAX_HISTORY} steps`, () => {
    let state = createEditState([pier('P')]);
    for (let k = 0; k < MAX_HISTORY + 20; k++) {
      state = applyEdit(state, { type: 'move-roi', key: 1, dx: 1, dy: 0 });
    }
    expect(state.undo).toHaveLength(MAX_HISTORY);
    while (canUndo(state)) state = undo(state);
    expect(roi(state, 1).polygons[0]?.[0]?.[0]).toEqual([30, 10]);
  });

  test('commands never mutate their input state', () => {
    const state = twoPiers();
    const frozen = JSON.stringify(state);
    applyEdit(state, { type: 'move-vertex', key: 1, at: at(0), to: [0, 0] });
    applyEdit(state, { type: 'insert-vertex', key: 1, at: at(0), point: [0, 0] });
    applyEdit(state, { type: 'delete-vertex', key: 1, at: at(0) });
    applyEdit(state, { type: 'move-roi', key: 2, dx: 1, dy: 1 });
    undo(applyEdit(state, { type: 'delete', key: 1 }));
    expect(JSON.stringify(state)).toBe(frozen);
  });
});

describe('validation', () => {
  test('segment intersection: crossing, touching, parallel, apart', () => {
    expect(segmentIntersection([0, 0], [2, 2], [0, 2], [2, 0])).toEqual([1, 1]);
    expect(segmentIntersection([0, 0], [2, 0], [1, 0], [1, 5])).toEqual([1, 0]);
    expect(segmentIntersection([0, 0], [2, 0], [1, 0], [3, 0])).toEqual([1, 0]);
    expect(segmentIntersection([0, 0], [2, 0], [0, 1], [2, 1])).toBeNull();
    expect(segmentIntersection([0, 0], [1, 1], [2, 2], [3, 0])).toBeNull();
  });

  test('ring self-intersection', () => {
    expect(ringSelfIntersection(square(0, 0, 10))).toBeNull();
    // A bow tie crosses at its centre.
    const bowTie: Vec2[] = [
      [0, 0],
      [10, 10],
      [10, 0],
      [0, 10],
    ];
    expect(ringSelfIntersection(bowTie)).toEqual([5, 5]);
    // Closed input, repeated consecutive vertices and a triangle are fine.
    expect(ringSelfIntersection([...square(0, 0, 10), [0, 0]])).toBeNull();
    expect(
      ringSelfIntersection([
        [0, 0],
        [10, 0],
        [10, 0],
        [10, 10],
        [0, 10],
      ]),
    ).toBeNull();
    expect(
      ringSelfIntersection([
        [0, 0],
        [1, 0],
        [0, 1],
      ]),
    ).toBeNull();
    // A concave (L-shaped) ring does not cross itself.
    const ell: Vec2[] = [
      [0, 0],
      [10, 0],
      [10, 4],
      [4, 4],
      [4, 10],
      [0, 10],
    ];
    expect(ringSelfIntersection(ell)).toBeNull();
    // A vertex touching a non-neighbouring edge counts.
    const touching: Vec2[] = [
      [0, 0],
      [10, 0],
      [10, 10],
      [5, 0],
      [0, 10],
    ];
    expect(ringSelfIntersection(touching)).toEqual([5, 0]);
    // A vertex visited twice (figure eight through one point) counts.
    const eight: Vec2[] = [
      [0, 0],
      [5, 5],
      [10, 0],
      [10, 10],
      [5, 5],
      [0, 10],
    ];
    expect(ringSelfIntersection(eight)).not.toBeNull();
  });

  test('fraction inside the image', () => {
    const inside = { polygons: [[square(10, 10, 20)]] };
    expect(fractionInsideImage(inside, 100, 100)).toBe(1);
    // On the edge is inside.
    expect(fractionInsideImage({ polygons: [[square(0, 0, 100)]] }, 100, 100)).toBe(1);
    expect(fractionInsideImage({ polygons: [[square(90, 0, 20)]] }, 100, 100)).toBeCloseTo(0.5);
    expect(fractionInsideImage({ polygons: [[square(-10, -10, 20)]] }, 100, 100)).toBeCloseTo(0.25);
    expect(fractionInsideImage({ polygons: [[square(200, 200, 5)]] }, 100, 100)).toBe(0);
    // A pier around the whole image: only the image's share is inside.
    expect(fractionInsideImage({ polygons: [[square(-50, -50, 200)]] }, 100, 100)).toBeCloseTo(
      0.25,
    );
  });

  test('problems: outside, partly outside, self-intersecting, none', () => {
    expect(roiProblems({ name: 'ok', polygons: [[square(10, 10, 20)]] }, 100, 100)).toEqual([]);
    const outside = roiProblems({ name: 'far', polygons: [[square(500, 500, 5)]] }, 100, 100);
    expect(outside.map((p) => p.kind)).toEqual(['outside']);
    expect(outside[0]?.message).toContain('far lies outside the image');
    const partly = roiProblems({ name: 'edge', polygons: [[square(90, 10, 20)]] }, 100, 100);
    expect(partly.map((p) => p.kind)).toEqual(['partly-outside']);
    expect(partly[0]?.message).toContain('50.0 %');
    const crossed = roiProblems(
      {
        name: 'tangle',
        polygons: [
          [
            [
              [10, 10],
              [30, 30],
              [30, 10],
              [10, 30],
            ],
          ],
        ],
      },
      100,
      100,
    );
    expect(crossed.map((p) => p.kind)).toEqual(['self-intersecting']);
    expect(crossed[0]?.at).toEqual([20, 20]);
    expect(crossed[0]?.message).toContain('tangle crosses itself');
  });
});

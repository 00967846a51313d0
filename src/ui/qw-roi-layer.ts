/**
 * Pier outlines and names drawn over the image view, and the pointer side of
 * editing them: drawing rectangles (drag) and polygons (click the vertices;
 * double-click, Enter or a click on the first vertex closes; Escape cancels;
 * Backspace takes the last vertex back), selecting a pier, dragging it,
 * dragging its vertices, dragging a midpoint handle to insert a vertex, and
 * double-clicking a vertex to remove it.
 *
 * An SVG absolutely positioned over the view. Positions are image pixels of
 * the before image at full resolution (the UI's one image coordinate system),
 * mapped to CSS pixels by `transform`, or, until the view provides one, by
 * fitting the image into this element. With several `panes` (side by side)
 * the piers are drawn in each, the transform being relative to each pane's
 * corner, and a pointer edits in whichever pane it is. The layer takes pointer events only on
 * the selected pier's handles, on pier shapes while the edit tool is on, and
 * everywhere while a drawing tool is on, so pan, zoom and the swipe divider
 * work through it otherwise.
 *
 * It changes nothing itself: every edit goes up as a `qw-roi-action` event.
 * Names are Lit text bindings, never HTML.
 *
 * @fires qw-roi-action - detail: RoiAction (edit, draw, select).
 */
import { css, html, LitElement, nothing, svg, type PropertyValues } from 'lit';
import type { EditPolygons, EditRoi, RoiProblem, Vec2 } from '../core/roi-edit.ts';
import { fitImage } from '../core/view-fit.ts';
import {
  imageToScreen,
  screenToImage,
  type PaneRect,
  type ViewTransform,
} from '../core/view-transform.ts';
import { fireRoiAction, type RoiAction, type RoiTool } from './roi-editor.ts';

/** A handle or the first vertex of a drawing is hit within this many CSS pixels. */
const HIT_RADIUS_PX = 8;
/** A press that moves less than this is a click, not a drag. */
const DRAG_THRESHOLD_PX = 3;
/** Two presses on one vertex handle within this many ms remove the vertex. */
const DOUBLE_PRESS_MS = 500;

interface RingRef {
  readonly part: number;
  readonly ring: number;
}

type Drag =
  /** `origin`: where the handle was (the vertex, or the midpoint), image pixels. */
  | {
      readonly kind: 'vertex';
      readonly key: number;
      readonly at: RingRef & { vertex: number };
      readonly origin: Vec2;
    }
  /** Dragging the midpoint after vertex `at.vertex − 1` inserts a vertex at `at.vertex`. */
  | {
      readonly kind: 'midpoint';
      readonly key: number;
      readonly at: RingRef & { vertex: number };
      readonly origin: Vec2;
    }
  | { readonly kind: 'roi'; readonly key: number }
  | { readonly kind: 'rectangle' };

/** Where a dragged handle is: its origin moved as far as the pointer has. */
function dragged(state: DragState, origin: Vec2): Vec2 {
  return [
    origin[0] + state.image[0] - state.startImage[0],
    origin[1] + state.image[1] - state.startImage[1],
  ];
}

interface DragState {
  readonly drag: Drag;
  readonly pointerId: number;
  /** Where the press started and where the pointer is, image pixels and CSS pixels. */
  readonly startImage: Vec2;
  readonly startScreen: Vec2;
  image: Vec2;
  moved: boolean;
}

function shiftRoi(roi: EditRoi, dx: number, dy: number): EditRoi {
  return {
    ...roi,
    polygons: roi.polygons.map((part) =>
      part.map((ring) => ring.map(([x, y]): Vec2 => [x + dx, y + dy])),
    ),
  };
}

function withRing(roi: EditRoi, at: RingRef, make: (ring: readonly Vec2[]) => Vec2[]): EditRoi {
  return {
    ...roi,
    polygons: roi.polygons.map((part, p) =>
      p === at.part ? part.map((ring, r) => (r === at.ring ? make(ring) : ring)) : part,
    ),
  };
}

export class QwRoiLayer extends LitElement {
  static override properties = {
    rois: { attribute: false },
    selectedKey: { attribute: false },
    tool: { attribute: false },
    problems: { attribute: false },
    imageWidth: { attribute: false },
    imageHeight: { attribute: false },
    transform: { attribute: false },
    panes: { attribute: false },
    visible: { type: Boolean },
    opacity: { type: Number },
    dragState: { state: true },
    draft: { state: true },
    hover: { state: true },
    boxSize: { state: true },
  };

  static override styles = css`
    :host {
      position: absolute;
      inset: 0;
      display: block;
      overflow: hidden;
      pointer-events: none;
    }
    svg {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      pointer-events: none;
      user-select: none;
      touch-action: none;
    }
    svg.drawing {
      pointer-events: all;
      cursor: crosshair;
    }
    .shape {
      fill: rgb(255 217 51 / 0.08);
      stroke: #ffd933;
      stroke-width: 1.5;
      vector-effect: non-scaling-stroke;
    }
    svg.edit .shape {
      pointer-events: visiblePainted;
      cursor: move;
    }
    .roi.selected .shape {
      stroke: #7cc4ff;
      stroke-width: 2.5;
      fill: rgb(124 196 255 / 0.14);
    }
    .roi.problem .shape {
      stroke: #ff6b5a;
      stroke-dasharray: 6 4;
    }
    .name {
      fill: #fff;
      stroke: rgb(0 0 0 / 0.8);
      stroke-width: 3px;
      paint-order: stroke;
      font:
        600 12px/1 system-ui,
        sans-serif;
      text-anchor: middle;
      dominant-baseline: central;
    }
    .mark {
      fill: #ff6b5a;
      stroke: #12141a;
      stroke-width: 1.5;
    }
    .mark-text {
      fill: #12141a;
      font:
        700 11px/1 system-ui,
        sans-serif;
      text-anchor: middle;
      dominant-baseline: central;
    }
    .handle {
      pointer-events: all;
      cursor: grab;
      stroke: #12141a;
      stroke-width: 1.5;
    }
    .handle.vertex {
      fill: #7cc4ff;
    }
    .handle.midpoint {
      fill: rgb(255 255 255 / 0.75);
    }
    .draft {
      fill: rgb(124 196 255 / 0.12);
      stroke: #7cc4ff;
      stroke-width: 2;
      stroke-dasharray: 5 3;
    }
    .draft-vertex {
      fill: #7cc4ff;
      stroke: #12141a;
    }
    .draft-vertex.first.closable {
      fill: #ffd933;
    }
  `;

  /** The piers, image pixels. */
  declare rois: readonly EditRoi[];
  declare selectedKey: number | null;
  declare tool: RoiTool;
  /** Problems by pier key: those piers get a dashed red outline and a mark. */
  declare problems: ReadonlyMap<number, readonly RoiProblem[]>;
  /** Size of the before image at full resolution, pixels. */
  declare imageWidth: number;
  declare imageHeight: number;
  /** Image pixels → CSS pixels of this element; undefined fits the image into it. */
  declare transform: ViewTransform | undefined;
  /** Panes the transform applies to, each relative to its corner; undefined: this whole element. */
  declare panes: readonly PaneRect[] | undefined;
  /** Show pier outlines and names (the selected pier's handles show while editing regardless). */
  declare visible: boolean;
  /** Opacity of outlines and names, 0..1. */
  declare opacity: number;
  declare dragState: DragState | null;
  /** Vertices of the polygon being drawn, image pixels. */
  declare draft: readonly Vec2[];
  /** The pointer while drawing, image pixels. */
  declare hover: Vec2 | null;
  declare boxSize: readonly [number, number];

  private resizeObserver: ResizeObserver | undefined;
  /**
   * The last press on a vertex handle. A double press is seen here, not in
   * `dblclick`: with the pointer captured, Chrome sends that to the SVG.
   */
  private lastVertexPress: { key: string; time: number } | null = null;

  constructor() {
    super();
    this.rois = [];
    this.selectedKey = null;
    this.tool = 'navigate';
    this.problems = new Map();
    this.imageWidth = 0;
    this.imageHeight = 0;
    this.transform = undefined;
    this.panes = undefined;
    this.visible = true;
    this.opacity = 0.9;
    this.dragState = null;
    this.draft = [];
    this.hover = null;
    this.boxSize = [0, 0];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver = new ResizeObserver(() => {
      this.boxSize = [this.clientWidth, this.clientHeight];
    });
    this.resizeObserver.observe(this);
    // Capture phase: Escape/Enter reach the drawing before the editor's shortcuts.
    window.addEventListener('keydown', this.onKeyDown, true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    window.removeEventListener('keydown', this.onKeyDown, true);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('tool') && this.tool !== 'polygon') {
      this.draft = [];
      this.hover = null;
    }
    if (
      changed.has('tool') &&
      this.dragState?.drag.kind === 'rectangle' &&
      this.tool !== 'rectangle'
    ) {
      this.dragState = null;
    }
  }

  /** The transform in use: the view's, or the image fitted into this element. */
  get activeTransform(): ViewTransform {
    if (this.transform !== undefined) return this.transform;
    const [width, height] = this.boxSize;
    const rect = fitImage(
      width,
      height,
      Math.max(1, this.imageWidth),
      Math.max(1, this.imageHeight),
    );
    return { scale: rect.width / Math.max(1, this.imageWidth), originX: rect.x, originY: rect.y };
  }

  private toScreen(point: Vec2): Vec2 {
    return imageToScreen(this.activeTransform, point[0], point[1]);
  }

  private currentPanes(): readonly PaneRect[] {
    const [width, height] = this.boxSize;
    return this.panes ?? [{ x: 0, y: 0, width, height }];
  }

  /** The pointer in CSS pixels of the pane it is over (the first pane when over none). */
  private eventScreenPoint(event: PointerEvent | MouseEvent): Vec2 {
    const box = this.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const panes = this.currentPanes();
    const pane =
      panes.find((p) => x >= p.x && x < p.x + p.width && y >= p.y && y < p.y + p.height) ??
      panes[0];
    return pane === undefined ? [x, y] : [x - pane.x, y - pane.y];
  }

  private eventImagePoint(event: PointerEvent | MouseEvent): Vec2 {
    const [x, y] = this.eventScreenPoint(event);
    return screenToImage(this.activeTransform, x, y);
  }

  private fire(action: RoiAction): void {
    fireRoiAction(this, action);
  }

  // ---- geometry of what is on screen ------------------------------------------

  /** The ROIs with the drag in progress applied (what the pointer shows). */
  private displayedRois(): readonly EditRoi[] {
    const state = this.dragState;
    if (state === null || !state.moved) return this.rois;
    const { drag } = state;
    if (drag.kind === 'rectangle') return this.rois;
    const [dx, dy] = [state.image[0] - state.startImage[0], state.image[1] - state.startImage[1]];
    return this.rois.map((roi) => {
      if (roi.key !== drag.key) return roi;
      if (drag.kind === 'roi') return shiftRoi(roi, dx, dy);
      if (drag.kind === 'vertex') {
        return withRing(roi, drag.at, (ring) =>
          ring.map((p, k): Vec2 => (k === drag.at.vertex ? dragged(state, drag.origin) : p)),
        );
      }
      return withRing(roi, drag.at, (ring) => [
        ...ring.slice(0, drag.at.vertex),
        dragged(state, drag.origin),
        ...ring.slice(drag.at.vertex),
      ]);
    });
  }

  private pathOf(polygons: EditPolygons): string {
    return polygons
      .flat()
      .map(
        (ring) =>
          `M${ring
            .map((p) => {
              const [x, y] = this.toScreen(p);
              return `${x.toFixed(1)},${y.toFixed(1)}`;
            })
            .join('L')}Z`,
      )
      .join('');
  }

  /** Where a pier's name goes: the mean of its exterior vertices, on screen. */
  private labelPoint(roi: EditRoi): Vec2 {
    const points = roi.polygons.flatMap((part) => part[0] ?? []);
    const n = Math.max(1, points.length);
    return this.toScreen([
      points.reduce((s, p) => s + p[0], 0) / n,
      points.reduce((s, p) => s + p[1], 0) / n,
    ]);
  }

  private rectangleRing(a: Vec2, b: Vec2): Vec2[] {
    const [x0, x1] = [Math.min(a[0], b[0]), Math.max(a[0], b[0])];
    const [y0, y1] = [Math.min(a[1], b[1]), Math.max(a[1], b[1])];
    return [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ];
  }

  // ---- pointer ------------------------------------------------------------------

  private readonly onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0) return;
    const target = event.composedPath()[0];
    const element = target instanceof Element ? target : null;
    const image = this.eventImagePoint(event);
    const screen = this.eventScreenPoint(event);
    let drag: Drag | null = null;
    if (this.tool === 'polygon') {
      event.preventDefault();
      event.stopPropagation();
      this.addDraftVertex(image, screen);
      return;
    }
    if (this.tool === 'rectangle') {
      drag = { kind: 'rectangle' };
    } else {
      const handle = element?.closest<SVGElement>('[data-handle]');
      const shape = element?.closest<SVGElement>('[data-key]');
      if (handle != null && this.selectedKey !== null) {
        const at = {
          part: Number(handle.dataset['part']),
          ring: Number(handle.dataset['ring']),
          vertex: Number(handle.dataset['vertex']),
        };
        if (handle.dataset['handle'] === 'vertex') {
          const pressKey = `${this.selectedKey}:${at.part}:${at.ring}:${at.vertex}`;
          const last = this.lastVertexPress;
          this.lastVertexPress = { key: pressKey, time: event.timeStamp };
          if (last?.key === pressKey && event.timeStamp - last.time < DOUBLE_PRESS_MS) {
            event.preventDefault();
            event.stopPropagation();
            this.lastVertexPress = null;
            this.removeVertex(this.selectedKey, at);
            return;
          }
        }
        const ring = this.rois.find((roi) => roi.key === this.selectedKey)?.polygons[at.part]?.[
          at.ring
        ];
        if (handle.dataset['handle'] === 'midpoint') {
          const a = ring?.[at.vertex - 1];
          const b = ring?.[at.vertex % (ring.length || 1)];
          if (a !== undefined && b !== undefined) {
            const origin: Vec2 = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
            drag = { kind: 'midpoint', key: this.selectedKey, at, origin };
          }
        } else {
          const origin = ring?.[at.vertex];
          if (origin !== undefined) drag = { kind: 'vertex', key: this.selectedKey, at, origin };
        }
      } else if (shape != null && this.tool === 'edit') {
        const key = Number(shape.dataset['key']);
        if (key !== this.selectedKey) this.fire({ kind: 'select', key });
        drag = { kind: 'roi', key };
      }
    }
    if (drag === null) return;
    event.preventDefault();
    event.stopPropagation();
    (event.currentTarget as Element).setPointerCapture(event.pointerId);
    this.dragState = {
      drag,
      pointerId: event.pointerId,
      startImage: image,
      startScreen: screen,
      image,
      moved: false,
    };
  };

  private readonly onPointerMove = (event: PointerEvent): void => {
    const image = this.eventImagePoint(event);
    if (this.tool === 'polygon') {
      this.hover = image;
      return;
    }
    const state = this.dragState;
    if (state?.pointerId !== event.pointerId) return;
    const [sx, sy] = this.eventScreenPoint(event);
    const moved =
      state.moved ||
      Math.hypot(sx - state.startScreen[0], sy - state.startScreen[1]) >= DRAG_THRESHOLD_PX;
    this.dragState = { ...state, image, moved };
  };

  private readonly onPointerUp = (event: PointerEvent): void => {
    const state = this.dragState;
    if (state?.pointerId !== event.pointerId) return;
    this.dragState = null;
    if (!state.moved) return;
    const image = this.eventImagePoint(event);
    const { drag } = state;
    switch (drag.kind) {
      case 'rectangle':
        this.fire({
          kind: 'draw',
          polygons: [[this.rectangleRing(state.startImage, image)]],
        });
        break;
      case 'roi':
        this.fire({
          kind: 'edit',
          command: {
            type: 'move-roi',
            key: drag.key,
            dx: image[0] - state.startImage[0],
            dy: image[1] - state.startImage[1],
          },
        });
        break;
      case 'vertex':
        this.fire({
          kind: 'edit',
          command: {
            type: 'move-vertex',
            key: drag.key,
            at: drag.at,
            to: dragged({ ...state, image }, drag.origin),
          },
        });
        break;
      case 'midpoint':
        this.fire({
          kind: 'edit',
          command: {
            type: 'insert-vertex',
            key: drag.key,
            at: drag.at,
            point: dragged({ ...state, image }, drag.origin),
          },
        });
        break;
    }
  };

  private readonly onPointerCancel = (event: PointerEvent): void => {
    if (this.dragState?.pointerId === event.pointerId) this.dragState = null;
  };

  private readonly onDoubleClick = (event: MouseEvent): void => {
    if (this.tool === 'polygon') {
      event.preventDefault();
      this.finishDraft();
      return;
    }
  };

  /** Removes a vertex, unless its ring would keep fewer than three. */
  private removeVertex(key: number, at: RingRef & { vertex: number }): void {
    const ring = this.rois.find((r) => r.key === key)?.polygons[at.part]?.[at.ring];
    if (ring === undefined || ring.length <= 3) return;
    this.fire({ kind: 'edit', command: { type: 'delete-vertex', key, at } });
  }

  // ---- polygon drawing -------------------------------------------------------

  private closable(screen: Vec2): boolean {
    const first = this.draft[0];
    if (first === undefined || this.draft.length < 3) return false;
    const [fx, fy] = this.toScreen(first);
    return Math.hypot(screen[0] - fx, screen[1] - fy) <= HIT_RADIUS_PX;
  }

  private addDraftVertex(image: Vec2, screen: Vec2): void {
    if (this.closable(screen)) {
      this.finishDraft();
      return;
    }
    this.draft = [...this.draft, image];
  }

  /** Closes the polygon being drawn: a new pier when it has three distinct corners. */
  finishDraft(): void {
    // A double-click adds its spot twice: vertices closer than a hit radius on screen merge.
    const vertices: Vec2[] = [];
    for (const point of this.draft) {
      const previous = vertices[vertices.length - 1];
      if (previous !== undefined) {
        const [ax, ay] = this.toScreen(previous);
        const [bx, by] = this.toScreen(point);
        if (Math.hypot(ax - bx, ay - by) < DRAG_THRESHOLD_PX) continue;
      }
      vertices.push(point);
    }
    this.draft = [];
    this.hover = null;
    if (vertices.length >= 3) this.fire({ kind: 'draw', polygons: [[vertices]] });
  }

  cancelDraft(): void {
    this.draft = [];
    this.hover = null;
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    const drafting = this.tool === 'polygon' && this.draft.length > 0;
    if (event.key === 'Escape' && (drafting || this.dragState !== null)) {
      event.preventDefault();
      this.cancelDraft();
      this.dragState = null;
    } else if (event.key === 'Enter' && drafting) {
      event.preventDefault();
      this.finishDraft();
    } else if (event.key === 'Backspace' && drafting) {
      event.preventDefault();
      this.draft = this.draft.slice(0, -1);
    }
  };

  // ---- rendering -----------------------------------------------------------------

  private renderRoi(roi: EditRoi): unknown {
    const problems = this.problems.get(roi.key) ?? [];
    const selected = roi.key === this.selectedKey;
    const [lx, labelY] = this.labelPoint(roi);
    // A mark at the label's spot (a crossing in the middle) pushes the name below it.
    const covered = problems.some((problem) => {
      const [mx, my] = this.toScreen(problem.at);
      return Math.hypot(mx - lx, my - labelY) < 14;
    });
    const ly = covered ? labelY + 18 : labelY;
    const classes = `roi${selected ? ' selected' : ''}${problems.length > 0 ? ' problem' : ''}`;
    return svg`<g class=${classes} data-key=${roi.key} data-name=${roi.name}>
      <path class="shape" data-key=${roi.key} fill-rule="evenodd" d=${this.pathOf(roi.polygons)}></path>
      <text class="name" x=${lx} y=${ly}>${roi.name}</text>
      ${problems.map((problem) => {
        const [mx, my] = this.toScreen(problem.at);
        return svg`<g class="problem-mark" data-kind=${problem.kind}>
          <title>${problem.message}</title>
          <circle class="mark" cx=${mx} cy=${my - (problem.kind === 'self-intersecting' ? 0 : 16)} r="8"></circle>
          <text class="mark-text" x=${mx} y=${my - (problem.kind === 'self-intersecting' ? 0 : 16)}>!</text>
        </g>`;
      })}
    </g>`;
  }

  private renderHandles(roi: EditRoi): unknown {
    const handles: unknown[] = [];
    roi.polygons.forEach((part, p) => {
      part.forEach((ring, r) => {
        ring.forEach((point, v) => {
          const next = ring[(v + 1) % ring.length] ?? point;
          const [mx, my] = this.toScreen([(point[0] + next[0]) / 2, (point[1] + next[1]) / 2]);
          handles.push(
            svg`<circle class="handle midpoint" data-handle="midpoint" data-part=${p} data-ring=${r}
              data-vertex=${v + 1} cx=${mx} cy=${my} r="4"><title>Drag to add a vertex</title></circle>`,
          );
        });
        ring.forEach((point, v) => {
          const [x, y] = this.toScreen(point);
          handles.push(
            svg`<circle class="handle vertex" data-handle="vertex" data-part=${p} data-ring=${r}
              data-vertex=${v} cx=${x} cy=${y} r="5.5"><title>Drag to move; double-click to remove</title></circle>`,
          );
        });
      });
    });
    return svg`<g class="handles">${handles}</g>`;
  }

  private renderDraft(): unknown {
    const state = this.dragState;
    if (state?.drag.kind === 'rectangle' && state.moved) {
      const ring = this.rectangleRing(state.startImage, state.image);
      return svg`<path class="draft" d=${this.pathOf([[ring]])}></path>`;
    }
    if (this.tool !== 'polygon' || this.draft.length === 0) return nothing;
    const points = [...this.draft, ...(this.hover === null ? [] : [this.hover])].map((p) =>
      this.toScreen(p),
    );
    const hoverScreen = this.hover === null ? null : this.toScreen(this.hover);
    const closable = hoverScreen !== null && this.closable(hoverScreen);
    return svg`<g class="drafting">
      <polyline class="draft" points=${points.map(([x, y]) => `${x},${y}`).join(' ')}></polyline>
      ${this.draft.map((p, k) => {
        const [x, y] = this.toScreen(p);
        return svg`<circle class="draft-vertex${k === 0 ? ' first' : ''}${closable ? ' closable' : ''}" cx=${x} cy=${y} r=${k === 0 ? 6 : 4}></circle>`;
      })}
    </g>`;
  }

  protected override render(): unknown {
    const rois = this.displayedRois();
    const selected = rois.find((roi) => roi.key === this.selectedKey);
    const drawing = this.tool === 'rectangle' || this.tool === 'polygon';
    const shown = this.visible ? rois : rois.filter((roi) => roi.key === this.selectedKey);
    const showHandles =
      selected !== undefined && !drawing && (this.visible || this.tool === 'edit');
    return html`<svg
      class="${this.tool}${drawing ? ' drawing' : ''}"
      data-tool=${this.tool}
      aria-label="Pier outlines"
      role="group"
      @pointerdown=${this.onPointerDown}
      @pointermove=${this.onPointerMove}
      @pointerup=${this.onPointerUp}
      @pointercancel=${this.onPointerCancel}
      @dblclick=${this.onDoubleClick}
    >
      ${this.currentPanes().map(
        (pane, index) =>
          svg`<svg class="pane" data-pane=${index} x=${pane.x} y=${pane.y} width=${Math.max(0, pane.width)}
            height=${Math.max(0, pane.height)} overflow="hidden">
            <g class="rois" opacity=${this.opacity}>${shown.map((roi) => this.renderRoi(roi))}</g>
            ${showHandles ? this.renderHandles(selected) : nothing} ${this.renderDraft()}
          </svg>`,
      )}
    </svg>`;
  }
}

customElements.define('qw-roi-layer', QwRoiLayer);

declare global {
  interface HTMLElementTagNameMap {
    'qw-roi-layer': QwRoiLayer;
  }
}

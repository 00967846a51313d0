/**
 * The before/after swipe view: a canvas drawn by WebGPU (or Canvas 2D without
 * it) and a divider the analyst drags, or moves with the arrow keys.
 */
import { css, html, LitElement, type PropertyValues } from 'lit';
import type { Rgba8Image } from '../core/raster.ts';
import { fitImage } from '../core/view-fit.ts';
import type { GpuContext } from '../gpu/device.ts';
import { WebGpuSwipeRenderer } from '../gpu/view-renderer.ts';
import { Canvas2dSwipeRenderer } from './canvas2d-renderer.ts';

export interface DatedImage {
  readonly image: Rgba8Image;
  /** e.g. "BEFORE · 13 Oct 2023". */
  readonly label: string;
}

type Renderer = WebGpuSwipeRenderer | Canvas2dSwipeRenderer;

const KEY_STEP = 0.02;

/**
 * @fires qw-divider-change - detail: the divider as a fraction of the image width.
 */
export class QwSwipeView extends LitElement {
  static override properties = {
    beforeImage: { attribute: false },
    afterImage: { attribute: false },
    gpu: { attribute: false },
    dividerFraction: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      min-height: 0;
      background: #12141a;
      touch-action: none;
      user-select: none;
    }
    canvas {
      position: absolute;
      inset: 0;
      width: 100%;
      height: 100%;
      cursor: ew-resize;
    }
    .label {
      position: absolute;
      top: 0.6rem;
      padding: 0.2rem 0.5rem;
      font:
        600 0.8rem/1.2 system-ui,
        sans-serif;
      letter-spacing: 0.04em;
      color: #fff;
      background: rgb(0 0 0 / 0.65);
      border-radius: 3px;
      pointer-events: none;
    }
    .handle {
      position: absolute;
      top: 50%;
      width: 1.6rem;
      height: 1.6rem;
      margin: -0.8rem 0 0 -0.8rem;
      border-radius: 50%;
      background: #ffd933;
      border: 2px solid #12141a;
      cursor: ew-resize;
    }
    .handle:focus-visible {
      outline: 3px solid #7cc4ff;
      outline-offset: 2px;
    }
  `;

  declare beforeImage: DatedImage | undefined;
  declare afterImage: DatedImage | undefined;
  /** The GPU to draw with; undefined draws with Canvas 2D. */
  declare gpu: GpuContext | undefined;
  declare dividerFraction: number;

  private renderer: Renderer | undefined;
  private canvas: HTMLCanvasElement | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private frameRequested = false;
  private dragging = false;

  constructor() {
    super();
    this.beforeImage = undefined;
    this.afterImage = undefined;
    this.gpu = undefined;
    this.dividerFraction = 0.5;
  }

  /** Which renderer draws the view now. */
  get backend(): 'webgpu' | 'canvas2d' | 'none' {
    return this.renderer?.kind ?? 'none';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A resize moves the handle (a re-render) and changes the canvas size (a new frame).
    this.resizeObserver = new ResizeObserver(() => {
      this.requestUpdate();
    });
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.renderer?.destroy();
    this.renderer = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.canvas === undefined || changed.has('gpu')) {
      // A canvas holds one kind of context for life: a backend change needs a fresh canvas.
      this.renderer?.destroy();
      this.renderer = undefined;
      this.canvas = document.createElement('canvas');
      this.canvas.setAttribute('aria-label', 'Before and after images, split by a swipe divider');
      this.canvas.setAttribute('role', 'img');
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.renderer === undefined && this.canvas !== undefined) {
      this.renderer = this.createRenderer(this.canvas);
      this.dataset['backend'] = this.renderer.kind;
    }
    if (
      (changed.has('beforeImage') || changed.has('afterImage') || changed.has('gpu')) &&
      this.beforeImage !== undefined &&
      this.afterImage !== undefined
    ) {
      this.renderer?.setImages(this.beforeImage.image, this.afterImage.image);
    }
    this.requestFrame();
  }

  private createRenderer(canvas: HTMLCanvasElement): Renderer {
    if (this.gpu !== undefined) {
      const context = canvas.getContext('webgpu');
      if (context !== null) {
        return new WebGpuSwipeRenderer(
          this.gpu.device,
          context,
          navigator.gpu.getPreferredCanvasFormat(),
        );
      }
    }
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('Neither WebGPU nor Canvas 2D can draw in this browser');
    return new Canvas2dSwipeRenderer(context);
  }

  private requestFrame(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.drawNow();
    });
  }

  private drawNow(): void {
    const canvas = this.canvas;
    if (canvas === undefined || this.renderer === undefined) return;
    const ratio = window.devicePixelRatio;
    const width = Math.max(1, Math.round(this.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.clientHeight * ratio));
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    this.renderer.draw({
      dividerFraction: this.dividerFraction,
      canvasWidthPx: width,
      canvasHeightPx: height,
    });
    this.dispatchEvent(new CustomEvent('qw-frame', { detail: this.renderer.kind }));
  }

  private setDivider(fraction: number): void {
    const clamped = Math.min(1, Math.max(0, fraction));
    if (clamped === this.dividerFraction) return;
    this.dividerFraction = clamped;
    this.dispatchEvent(
      new CustomEvent('qw-divider-change', { detail: clamped, bubbles: true, composed: true }),
    );
  }

  /** The image's rectangle in CSS pixels of this element. */
  private imageRect(): { x: number; width: number; left: number } {
    const image = this.beforeImage?.image;
    const rect = fitImage(
      this.clientWidth,
      this.clientHeight,
      image?.width ?? 1,
      image?.height ?? 1,
    );
    return { x: rect.x, width: rect.width, left: this.getBoundingClientRect().left };
  }

  private onPointerDown = (event: PointerEvent): void => {
    this.dragging = true;
    (event.currentTarget as Element).setPointerCapture(event.pointerId);
    this.onPointerMove(event);
  };

  private onPointerMove = (event: PointerEvent): void => {
    if (!this.dragging) return;
    const rect = this.imageRect();
    this.setDivider((event.clientX - rect.left - rect.x) / rect.width);
  };

  private onPointerUp = (): void => {
    this.dragging = false;
  };

  private onKeyDown = (event: KeyboardEvent): void => {
    const moves: Record<string, number> = {
      ArrowLeft: this.dividerFraction - KEY_STEP,
      ArrowRight: this.dividerFraction + KEY_STEP,
      PageDown: this.dividerFraction - 5 * KEY_STEP,
      PageUp: this.dividerFraction + 5 * KEY_STEP,
      Home: 0,
      End: 1,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.setDivider(next);
  };

  protected override render(): unknown {
    const rect = this.imageRect();
    const handleX = rect.x + this.dividerFraction * rect.width;
    const percent = Math.round(this.dividerFraction * 100);
    return html`
      <div
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerUp}
      >
        ${this.canvas}
        ${this.beforeImage === undefined ? null : html`<span class="label" style="left: 0.6rem">${this.beforeImage.label}</span>`}
        ${this.afterImage === undefined ? null : html`<span class="label" style="right: 0.6rem">${this.afterImage.label}</span>`}
        <div
          class="handle"
          style="left: ${handleX}px"
          role="slider"
          tabindex="0"
          aria-label="Swipe divider: before on the left, after on the right"
          aria-valuemin="0"
          aria-valuemax="100"
          aria-valuenow=${percent}
          aria-valuetext="${percent} % of the width shows the before image"
          @keydown=${this.onKeyDown}
        ></div>
      </div>
    `;
  }
}

customElements.define('qw-swipe-view', QwSwipeView);

declare global {
  interface HTMLElementTagNameMap {
    'qw-swipe-view': QwSwipeView;
  }
}

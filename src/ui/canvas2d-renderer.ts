/**
 * The image view without WebGPU: Canvas 2D draws the same frame as
 * shaders/view.wgsl and shaders/view-overlay.wgsl (panes, swipe, onion skin,
 * overlays) so the analyst still sees both dates. Nearest-neighbour when a
 * texture pixel covers more than a device pixel, smoothed when minified.
 */
import type { Rgba8Image } from '../core/raster.ts';
import { levelFor, mipChain } from '../core/view-mipmap.ts';
import {
  DIVIDER_RGBA,
  VIEW_BACKGROUND_RGBA,
  type PaneFrame,
  type ViewFrame,
} from '../gpu/view-renderer.ts';

function css([r, g, b]: readonly number[]): string {
  return `rgb(${Math.round((r ?? 0) * 255)} ${Math.round((g ?? 0) * 255)} ${Math.round((b ?? 0) * 255)})`;
}

function toCanvas(image: Rgba8Image): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  if (context === null) throw new Error('Canvas 2D is not available');
  context.putImageData(
    new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height),
    0,
    0,
  );
  return canvas;
}

export class Canvas2dViewRenderer {
  readonly kind = 'canvas2d';
  private images: [HTMLCanvasElement, HTMLCanvasElement] | undefined;
  /** Overlay pictures by image, so an overlay is converted once. */
  private overlayCanvases = new WeakMap<Rgba8Image, HTMLCanvasElement>();
  /** 'max' mip levels of line overlays, made on the first zoom-out. */
  private maxLevels = new WeakMap<Rgba8Image, HTMLCanvasElement[]>();

  constructor(private readonly context: CanvasRenderingContext2D) {}

  private sources: [Rgba8Image, Rgba8Image] | undefined;

  /** The pair to draw; an image that is the same object as before keeps its canvas. */
  setImages(before: Rgba8Image, after: Rgba8Image): void {
    const old = this.images;
    const sources = this.sources;
    this.images = [
      old !== undefined && sources?.[0] === before ? old[0] : toCanvas(before),
      old !== undefined && sources?.[1] === after ? old[1] : toCanvas(after),
    ];
    this.sources = [before, after];
  }

  private overlayCanvas(image: Rgba8Image): HTMLCanvasElement {
    let canvas = this.overlayCanvases.get(image);
    if (canvas === undefined) {
      canvas = toCanvas(image);
      this.overlayCanvases.set(image, canvas);
    }
    return canvas;
  }

  /**
   * The overlay's picture for drawing at `frame.scale`: itself, or for a
   * 'max' overlay drawn smaller than its pixels, the 'max' mip level nearest
   * the drawn size (the browser's own minification would average thin lines
   * away, as the GPU path's 'mean' levels would).
   */
  private overlaySource(
    frame: ViewFrame,
    overlay: ViewFrame['overlays'][number],
  ): HTMLCanvasElement {
    const { image } = overlay;
    const devicePxPerTexel = (frame.scale * overlay.rectImagePx[2]) / image.width;
    if (overlay.minify !== 'max' || devicePxPerTexel >= 1) return this.overlayCanvas(image);
    let levels = this.maxLevels.get(image);
    if (levels === undefined) {
      levels = mipChain(image, 'max').map(toCanvas);
      this.maxLevels.set(image, levels);
    }
    return levels[levelFor(levels.length, devicePxPerTexel)] ?? this.overlayCanvas(image);
  }

  /** Draws `source` stretched over `rect` (image pixels), smoothing only when minified. */
  private drawStretched(
    frame: ViewFrame,
    source: HTMLCanvasElement,
    rect: readonly [number, number, number, number],
  ): void {
    const { context } = this;
    const devicePxPerTexel = (frame.scale * rect[2]) / source.width;
    context.imageSmoothingEnabled = devicePxPerTexel < 1;
    context.imageSmoothingQuality = 'high';
    context.drawImage(source, rect[0], rect[1], rect[2], rect[3]);
  }

  private drawPane(frame: ViewFrame, pane: PaneFrame, images: readonly HTMLCanvasElement[]): void {
    const { context } = this;
    const [before, after] = images;
    if (before === undefined || after === undefined) return;
    const extent = [0, 0, frame.imageWidthPx, frame.imageHeightPx] as const;
    context.save();
    context.beginPath();
    context.rect(pane.x, pane.y, pane.width, pane.height);
    context.clip();
    const inImage = (): void => {
      context.setTransform(
        frame.scale,
        0,
        0,
        frame.scale,
        pane.x + frame.originX,
        pane.y + frame.originY,
      );
    };
    switch (pane.content) {
      case 'before':
      case 'after':
        inImage();
        this.drawStretched(frame, pane.content === 'before' ? before : after, extent);
        break;
      case 'onion':
        inImage();
        this.drawStretched(frame, before, extent);
        context.globalAlpha = frame.onionOpacity;
        this.drawStretched(frame, after, extent);
        context.globalAlpha = 1;
        break;
      case 'swipe': {
        const divider = frame.dividerXPx;
        for (const [image, x0, x1] of [
          [before, pane.x, divider],
          [after, divider, pane.x + pane.width],
        ] as const) {
          if (x1 <= x0) continue;
          context.save();
          context.beginPath();
          context.rect(x0, pane.y, x1 - x0, pane.height);
          context.clip();
          inImage();
          this.drawStretched(frame, image, extent);
          context.restore();
        }
        break;
      }
    }
    inImage();
    for (const overlay of frame.overlays) {
      if (!overlay.visible || overlay.opacity <= 0) continue;
      context.globalAlpha = Math.min(1, overlay.opacity);
      this.drawStretched(frame, this.overlaySource(frame, overlay), overlay.rectImagePx);
    }
    context.globalAlpha = 1;
    context.setTransform(1, 0, 0, 1, 0, 0);
    if (pane.content === 'swipe') {
      context.fillStyle = css(DIVIDER_RGBA);
      context.fillRect(
        frame.dividerXPx - frame.dividerHalfWidthPx,
        pane.y,
        2 * frame.dividerHalfWidthPx,
        pane.height,
      );
    }
    context.restore();
  }

  draw(frame: ViewFrame): void {
    const { context } = this;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.fillStyle = css(VIEW_BACKGROUND_RGBA);
    context.fillRect(0, 0, frame.canvasWidthPx, frame.canvasHeightPx);
    const images = this.images;
    if (images === undefined) return;
    for (const pane of frame.panes) this.drawPane(frame, pane, images);
  }

  destroy(): void {
    this.images = undefined;
    this.sources = undefined;
    this.overlayCanvases = new WeakMap();
    this.maxLevels = new WeakMap();
  }
}

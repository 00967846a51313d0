/**
 * The swipe view without WebGPU: Canvas 2D draws the same picture as
 * shaders/view.wgsl so the analyst still sees both dates.
 */
import type { Rgba8Image } from '../core/raster.ts';
import { fitImage } from '../core/view-fit.ts';
import { DIVIDER_RGBA, VIEW_BACKGROUND_RGBA, type SwipeView } from '../gpu/view-renderer.ts';

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

export class Canvas2dSwipeRenderer {
  readonly kind = 'canvas2d';
  private images: [HTMLCanvasElement, HTMLCanvasElement] | undefined;

  constructor(private readonly context: CanvasRenderingContext2D) {}

  setImages(before: Rgba8Image, after: Rgba8Image): void {
    this.images = [toCanvas(before), toCanvas(after)];
  }

  draw(view: SwipeView): void {
    const { context } = this;
    context.fillStyle = css(VIEW_BACKGROUND_RGBA);
    context.fillRect(0, 0, view.canvasWidthPx, view.canvasHeightPx);
    if (this.images === undefined) return;
    const [before, after] = this.images;
    const rect = fitImage(view.canvasWidthPx, view.canvasHeightPx, before.width, before.height);
    const dividerX = rect.x + view.dividerFraction * rect.width;
    context.imageSmoothingEnabled = true;
    context.save();
    context.beginPath();
    context.rect(rect.x, rect.y, dividerX - rect.x, rect.height);
    context.clip();
    context.drawImage(before, rect.x, rect.y, rect.width, rect.height);
    context.restore();
    context.save();
    context.beginPath();
    context.rect(dividerX, rect.y, rect.x + rect.width - dividerX, rect.height);
    context.clip();
    context.drawImage(after, rect.x, rect.y, rect.width, rect.height);
    context.restore();
    context.fillStyle = css(DIVIDER_RGBA);
    context.fillRect(dividerX - 1.5, 0, 3, view.canvasHeightPx);
  }

  destroy(): void {
    this.images = undefined;
  }
}

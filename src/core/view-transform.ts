/**
 * Pan and zoom of the image view, as pure functions.
 *
 * Quaywatch has ONE image coordinate system for the whole UI: pixel
 * coordinates of the BEFORE image at full resolution, corner origin, x to the
 * right, y down (pixel (0, 0) covers [0, 1) × [0, 1)). Display textures may be
 * smaller than the image; they are stretched over the full extent. Overlays,
 * ROIs, blob clicks and "zoom to this pier" all speak this system.
 *
 * A view transform maps it onto the CSS pixels of a pane (the view's drawing
 * area; side by side has two panes with one transform):
 *
 *   screen = origin + scale · image
 */
import type { Rgba8Image } from './raster.ts';
import type { MinifyMode } from './view-mipmap.ts';

export interface ViewTransform {
  /** CSS pixels per image pixel (> 1: magnified). */
  readonly scale: number;
  /** Where image (0, 0) lands, in CSS pixels from the pane's top-left corner. */
  readonly originX: number;
  readonly originY: number;
}

export interface ViewSize {
  readonly width: number;
  readonly height: number;
}

/** A rectangle in image pixels: x, y of its top-left corner, width, height. */
export type ImageRectPx = readonly [x: number, y: number, width: number, height: number];

/**
 * A picture drawn over the imagery (a change mask, blobs, a heat map): an
 * RGBA image stretched over `rectImagePx`, blended with its alpha × opacity.
 * Overlays are drawn in the order given, later ones on top.
 */
export interface ViewOverlay {
  readonly id: string;
  readonly label: string;
  readonly image: Rgba8Image;
  readonly rectImagePx: ImageRectPx;
  /** 0..1, multiplies the image's own alpha. */
  readonly opacity: number;
  readonly visible: boolean;
  /** Colour keys for the legend, e.g. { colour: '#ff3b30', text: 'appeared' }. */
  readonly legend?: readonly { readonly colour: string; readonly text: string }[];
  /** How it is minified when zoomed out: 'max' keeps thin lines (outlines) visible; default 'mean'. */
  readonly minify?: MinifyMode;
}

/** A pane of the view in CSS pixels of the stage (the view's drawing area under its toolbar). */
export interface PaneRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface ZoomLimits {
  /** Smallest CSS px per image px (most zoomed out). */
  readonly minScale: number;
  /** Largest CSS px per image px (most magnified). */
  readonly maxScale: number;
}

/** At most magnified, one image pixel covers this many CSS pixels: single pixels are plain blocks. */
export const MAX_CSS_PX_PER_IMAGE_PX = 64;
/** At most zoomed out, the whole image covers this fraction of the fitted size. */
export const MIN_FIT_FRACTION = 0.25;

export function imageToScreen(t: ViewTransform, x: number, y: number): [number, number] {
  return [t.originX + t.scale * x, t.originY + t.scale * y];
}

export function screenToImage(t: ViewTransform, sx: number, sy: number): [number, number] {
  return [(sx - t.originX) / t.scale, (sy - t.originY) / t.scale];
}

/** Moves the picture by (dx, dy) CSS pixels (positive dx: the image moves right). */
export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
  return { scale: t.scale, originX: t.originX + dx, originY: t.originY + dy };
}

/**
 * Multiplies the scale by `factor` about the screen point (sx, sy): the image
 * point under it stays under it. With limits, the factor is cut so the scale
 * stays within them (the point still stays fixed).
 */
export function zoomAt(
  t: ViewTransform,
  factor: number,
  sx: number,
  sy: number,
  limits?: ZoomLimits,
): ViewTransform {
  let scale = t.scale * factor;
  if (limits !== undefined) scale = Math.min(limits.maxScale, Math.max(limits.minScale, scale));
  const applied = scale / t.scale;
  return {
    scale,
    originX: sx - (sx - t.originX) * applied,
    originY: sy - (sy - t.originY) * applied,
  };
}

/** The transform that shows `rect` as large as fits in the view, centred, with a margin of `paddingPx`. */
export function fitRect(view: ViewSize, rect: ImageRectPx, paddingPx = 0): ViewTransform {
  const [x, y, width, height] = rect;
  const availableWidth = Math.max(1, view.width - 2 * paddingPx);
  const availableHeight = Math.max(1, view.height - 2 * paddingPx);
  const scale = Math.min(
    availableWidth / Math.max(width, 1e-9),
    availableHeight / Math.max(height, 1e-9),
  );
  return fromCentre([x + width / 2, y + height / 2], scale, view);
}

/** The image point at the centre of the view. */
export function centreOf(t: ViewTransform, view: ViewSize): [number, number] {
  return screenToImage(t, view.width / 2, view.height / 2);
}

/** The transform with `centre` (image px) at the middle of the view at `scale`. */
export function fromCentre(
  centre: readonly [number, number],
  scale: number,
  view: ViewSize,
): ViewTransform {
  return {
    scale,
    originX: view.width / 2 - centre[0] * scale,
    originY: view.height / 2 - centre[1] * scale,
  };
}

/** From a quarter of the fitted size up to MAX_CSS_PX_PER_IMAGE_PX. */
export function zoomLimits(view: ViewSize, image: ViewSize): ZoomLimits {
  const fit = Math.min(
    view.width / Math.max(image.width, 1),
    view.height / Math.max(image.height, 1),
  );
  const minScale = Math.min(fit * MIN_FIT_FRACTION, MAX_CSS_PX_PER_IMAGE_PX);
  return { minScale, maxScale: Math.max(MAX_CSS_PX_PER_IMAGE_PX, minScale) };
}

/**
 * Keeps the view sensible: the scale within the limits (about the view
 * centre) and the view centre on the image, so the picture can never be
 * panned or zoomed away entirely.
 */
export function clampTransform(
  t: ViewTransform,
  view: ViewSize,
  image: ViewSize,
  limits: ZoomLimits = zoomLimits(view, image),
): ViewTransform {
  const scale = Math.min(limits.maxScale, Math.max(limits.minScale, t.scale));
  const [cx, cy] = centreOf(t, view);
  const centre: [number, number] = [
    Math.min(image.width, Math.max(0, cx)),
    Math.min(image.height, Math.max(0, cy)),
  ];
  return fromCentre(centre, scale, view);
}

/** The part of the image a view shows, as an image rectangle (may reach outside the image). */
export function visibleRect(t: ViewTransform, view: ViewSize): ImageRectPx {
  const [x0, y0] = screenToImage(t, 0, 0);
  return [x0, y0, view.width / t.scale, view.height / t.scale];
}

export function sameTransform(a: ViewTransform, b: ViewTransform): boolean {
  return a.scale === b.scale && a.originX === b.originX && a.originY === b.originY;
}

/** Zoom factor of one wheel event: exponential in the scrolled distance, so zooming feels even. */
export function wheelZoomFactor(deltaPx: number): number {
  return Math.exp(-deltaPx * 0.0015);
}

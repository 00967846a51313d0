/**
 * WebGPU renderer of the image view (shaders/view.wgsl for the imagery,
 * shaders/view-overlay.wgsl for overlays). The UI owns the canvas and the
 * view transform; this owns the textures and the pipelines and draws one
 * frame of panes.
 */
import viewWgsl from '../../shaders/view.wgsl?raw';
import overlayWgsl from '../../shaders/view-overlay.wgsl?raw';
import {
  packUniform,
  VIEW_MODE,
  VIEW_OVERLAY_UNIFORMS_LAYOUT,
  VIEW_UNIFORMS_LAYOUT,
} from '../core/kernel-layout.ts';
import type { Rgba8Image } from '../core/raster.ts';
import { mipChain, type MinifyMode } from '../core/view-mipmap.ts';
import type { ViewOverlay } from '../core/view-transform.ts';

/** What one pane shows. */
export type PaneContent = keyof typeof VIEW_MODE;

/** A rectangle of the canvas, in device pixels. */
export interface PaneFrame {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly content: PaneContent;
}

/** One frame of the view, in device pixels; what every view renderer draws. */
export interface ViewFrame {
  readonly canvasWidthPx: number;
  readonly canvasHeightPx: number;
  readonly panes: readonly PaneFrame[];
  /** Device pixels per image pixel. */
  readonly scale: number;
  /** Where image (0, 0) lands, relative to each pane's top-left corner. */
  readonly originX: number;
  readonly originY: number;
  /** The image's full extent (full-resolution before pixels) that the textures cover. */
  readonly imageWidthPx: number;
  readonly imageHeightPx: number;
  /** Swipe divider, canvas x in device pixels, and half its width. */
  readonly dividerXPx: number;
  readonly dividerHalfWidthPx: number;
  /** Onion skin: weight of the after image, 0..1. */
  readonly onionOpacity: number;
  /** Drawn over the imagery in every pane, in order; invisible ones are skipped. */
  readonly overlays: readonly ViewOverlay[];
}

export const VIEW_BACKGROUND_RGBA: readonly [number, number, number, number] = [0.07, 0.08, 0.1, 1];
export const DIVIDER_RGBA: readonly [number, number, number, number] = [1, 0.85, 0.2, 1];
export const DIVIDER_HALF_WIDTH_CSS_PX = 1.5;

/** Uniform slots per pane: offsets must be multiples of 256 bytes. */
const SLOT_BYTES = 256;
const MAX_PANES = 2;

interface OverlayResources {
  readonly image: Rgba8Image;
  readonly texture: GPUTexture;
  readonly uniforms: GPUBuffer;
  readonly bindGroups: readonly GPUBindGroup[];
}

/** Uploads an image with its whole mipmap chain. */
function uploadTexture(
  device: GPUDevice,
  label: string,
  image: Rgba8Image,
  minify: MinifyMode = 'mean',
): GPUTexture {
  const levels = mipChain(image, minify);
  const texture = device.createTexture({
    label,
    size: [image.width, image.height],
    format: 'rgba8unorm',
    mipLevelCount: levels.length,
    usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
  });
  levels.forEach((level, mipLevel) => {
    device.queue.writeTexture(
      { texture, mipLevel },
      level.rgba,
      { bytesPerRow: level.width * 4, rowsPerImage: level.height },
      [level.width, level.height],
    );
  });
  return texture;
}

export class WebGpuViewRenderer {
  readonly kind = 'webgpu';
  private readonly pipeline: GPURenderPipeline;
  private readonly overlayPipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;
  private readonly sampler: GPUSampler;
  private textures: [GPUTexture, GPUTexture] | undefined;
  private images: [Rgba8Image | undefined, Rgba8Image | undefined] = [undefined, undefined];
  private bindGroups: GPUBindGroup[] = [];
  private readonly overlays = new Map<string, OverlayResources>();

  constructor(
    private readonly device: GPUDevice,
    private readonly context: GPUCanvasContext,
    format: GPUTextureFormat,
  ) {
    context.configure({ device, format, alphaMode: 'opaque' });
    const module = device.createShaderModule({ label: 'view.wgsl', code: viewWgsl });
    this.pipeline = device.createRenderPipeline({
      label: 'view imagery',
      layout: 'auto',
      vertex: { module, entryPoint: 'vertexMain' },
      fragment: { module, entryPoint: 'fragmentMain', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    const overlayModule = device.createShaderModule({
      label: 'view-overlay.wgsl',
      code: overlayWgsl,
    });
    this.overlayPipeline = device.createRenderPipeline({
      label: 'view overlay',
      layout: 'auto',
      vertex: { module: overlayModule, entryPoint: 'vertexMain' },
      fragment: {
        module: overlayModule,
        entryPoint: 'fragmentMain',
        targets: [
          {
            format,
            blend: {
              color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
              alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
            },
          },
        ],
      },
      primitive: { topology: 'triangle-list' },
    });
    this.uniforms = device.createBuffer({
      label: 'view uniforms (one slot per pane)',
      size: SLOT_BYTES * MAX_PANES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.sampler = device.createSampler({
      label: 'view sampler: nearest magnified, trilinear minified',
      magFilter: 'nearest',
      minFilter: 'linear',
      mipmapFilter: 'linear',
    });
  }

  /**
   * The pair to draw. An image that is the same object as before keeps its
   * texture (a nudged after image re-uploads only the after image).
   */
  setImages(before: Rgba8Image, after: Rgba8Image): void {
    const old = this.textures;
    const reuse = (index: 0 | 1, image: Rgba8Image, label: string): GPUTexture => {
      const kept = old?.[index];
      if (kept !== undefined && this.images[index] === image) return kept;
      kept?.destroy();
      return uploadTexture(this.device, label, image);
    };
    const textures: [GPUTexture, GPUTexture] = [
      reuse(0, before, 'view before image'),
      reuse(1, after, 'view after image'),
    ];
    this.textures = textures;
    this.images = [before, after];
    this.bindGroups = Array.from({ length: MAX_PANES }, (_, slot) =>
      this.device.createBindGroup({
        label: `view bindings, pane ${slot}`,
        layout: this.pipeline.getBindGroupLayout(0),
        entries: [
          {
            binding: 0,
            resource: {
              buffer: this.uniforms,
              offset: slot * SLOT_BYTES,
              size: VIEW_UNIFORMS_LAYOUT.byteLength,
            },
          },
          { binding: 1, resource: this.sampler },
          { binding: 2, resource: textures[0].createView() },
          { binding: 3, resource: textures[1].createView() },
        ],
      }),
    );
  }

  /**
   * The overlays to draw, each with its GPU resources. A texture is kept while
   * its overlay is in the frame with the same image, drawn or not, so hiding
   * it or moving its opacity through 0 does not upload it again; textures of
   * replaced images and of overlays that left the frame are freed.
   */
  private syncOverlays(
    overlays: readonly ViewOverlay[],
  ): { readonly overlay: ViewOverlay; readonly resources: OverlayResources }[] {
    for (const [id, resources] of this.overlays) {
      const next = overlays.find((overlay) => overlay.id === id);
      if (next?.image !== resources.image) {
        resources.texture.destroy();
        resources.uniforms.destroy();
        this.overlays.delete(id);
      }
    }
    const drawn = overlays.filter((overlay) => overlay.visible && overlay.opacity > 0);
    return drawn.map((overlay) => ({ overlay, resources: this.overlayResources(overlay) }));
  }

  private overlayResources(overlay: ViewOverlay): OverlayResources {
    const existing = this.overlays.get(overlay.id);
    if (existing !== undefined) return existing;
    const texture = uploadTexture(
      this.device,
      `overlay ${overlay.id}`,
      overlay.image,
      overlay.minify,
    );
    const uniforms = this.device.createBuffer({
      label: `overlay ${overlay.id} uniforms`,
      size: SLOT_BYTES * MAX_PANES,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    const bindGroups = Array.from({ length: MAX_PANES }, (_, slot) =>
      this.device.createBindGroup({
        label: `overlay ${overlay.id} bindings, pane ${slot}`,
        layout: this.overlayPipeline.getBindGroupLayout(0),
        entries: [
          {
            binding: 0,
            resource: {
              buffer: uniforms,
              offset: slot * SLOT_BYTES,
              size: VIEW_OVERLAY_UNIFORMS_LAYOUT.byteLength,
            },
          },
          { binding: 1, resource: this.sampler },
          { binding: 2, resource: texture.createView() },
        ],
      }),
    );
    const resources = { image: overlay.image, texture, uniforms, bindGroups };
    this.overlays.set(overlay.id, resources);
    return resources;
  }

  draw(frame: ViewFrame): void {
    const panes = frame.panes.slice(0, MAX_PANES);
    const overlays = this.syncOverlays(frame.overlays);
    panes.forEach((pane, slot) => {
      this.device.queue.writeBuffer(
        this.uniforms,
        slot * SLOT_BYTES,
        packUniform(VIEW_UNIFORMS_LAYOUT, {
          paneOriginPx: [pane.x, pane.y],
          imageOriginPx: [frame.originX, frame.originY],
          imageSizePx: [frame.imageWidthPx, frame.imageHeightPx],
          scale: frame.scale,
          mode: VIEW_MODE[pane.content],
          dividerXPx: frame.dividerXPx,
          dividerHalfWidthPx: frame.dividerHalfWidthPx,
          onionOpacity: frame.onionOpacity,
          background: VIEW_BACKGROUND_RGBA,
          dividerColour: DIVIDER_RGBA,
        }),
      );
      overlays.forEach(({ overlay, resources }) => {
        this.device.queue.writeBuffer(
          resources.uniforms,
          slot * SLOT_BYTES,
          packUniform(VIEW_OVERLAY_UNIFORMS_LAYOUT, {
            canvasSizePx: [frame.canvasWidthPx, frame.canvasHeightPx],
            paneOriginPx: [pane.x, pane.y],
            imageOriginPx: [frame.originX, frame.originY],
            scale: frame.scale,
            opacity: Math.min(1, Math.max(0, overlay.opacity)),
            rectImagePx: overlay.rectImagePx,
          }),
        );
      });
    });
    const encoder = this.device.createCommandEncoder({ label: 'view frame' });
    const pass = encoder.beginRenderPass({
      label: 'view frame',
      colorAttachments: [
        {
          view: this.context.getCurrentTexture().createView(),
          loadOp: 'clear',
          storeOp: 'store',
          clearValue: [...VIEW_BACKGROUND_RGBA],
        },
      ],
    });
    panes.forEach((pane, slot) => {
      const bindGroup = this.bindGroups[slot];
      // The scissor must lie inside the canvas and not be empty.
      const x = Math.max(0, Math.min(frame.canvasWidthPx - 1, Math.round(pane.x)));
      const y = Math.max(0, Math.min(frame.canvasHeightPx - 1, Math.round(pane.y)));
      const width = Math.max(1, Math.min(frame.canvasWidthPx - x, Math.round(pane.width)));
      const height = Math.max(1, Math.min(frame.canvasHeightPx - y, Math.round(pane.height)));
      pass.setScissorRect(x, y, width, height);
      if (bindGroup !== undefined) {
        pass.setPipeline(this.pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.draw(3);
      }
      if (overlays.length > 0) {
        pass.setPipeline(this.overlayPipeline);
        for (const { resources } of overlays) {
          const overlayGroup = resources.bindGroups[slot];
          if (overlayGroup === undefined) continue;
          pass.setBindGroup(0, overlayGroup);
          pass.draw(6);
        }
      }
    });
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  private destroyTextures(): void {
    this.textures?.forEach((texture) => {
      texture.destroy();
    });
    this.textures = undefined;
    this.images = [undefined, undefined];
    this.bindGroups = [];
  }

  destroy(): void {
    this.destroyTextures();
    for (const resources of this.overlays.values()) {
      resources.texture.destroy();
      resources.uniforms.destroy();
    }
    this.overlays.clear();
    this.uniforms.destroy();
    this.context.unconfigure();
  }
}

/**
 * WebGPU renderer of the before/after swipe view (shaders/view.wgsl). The UI
 * owns the canvas; this owns the textures and the pipeline.
 */
import viewWgsl from '../../shaders/view.wgsl?raw';
import { VIEW_UNIFORMS_LAYOUT } from '../core/kernel-layout.ts';
import type { Rgba8Image } from '../core/raster.ts';
import { fitImage } from '../core/view-fit.ts';

/** What every view renderer draws: the dates split at a divider. */
export interface SwipeView {
  /** Divider position as a fraction of the image width, 0..1. */
  readonly dividerFraction: number;
  /** Canvas size in device pixels. */
  readonly canvasWidthPx: number;
  readonly canvasHeightPx: number;
}

export const VIEW_BACKGROUND_RGBA: readonly [number, number, number, number] = [0.07, 0.08, 0.1, 1];
export const DIVIDER_RGBA: readonly [number, number, number, number] = [1, 0.85, 0.2, 1];

export class WebGpuSwipeRenderer {
  readonly kind = 'webgpu';
  private readonly pipeline: GPURenderPipeline;
  private readonly uniforms: GPUBuffer;
  private readonly sampler: GPUSampler;
  private textures: [GPUTexture, GPUTexture] | undefined;
  private bindGroup: GPUBindGroup | undefined;
  private imageSize: [number, number] = [1, 1];

  constructor(
    private readonly device: GPUDevice,
    private readonly context: GPUCanvasContext,
    private readonly format: GPUTextureFormat,
  ) {
    context.configure({ device, format, alphaMode: 'opaque' });
    const module = device.createShaderModule({ label: 'view.wgsl', code: viewWgsl });
    this.pipeline = device.createRenderPipeline({
      label: 'swipe view',
      layout: 'auto',
      vertex: { module, entryPoint: 'vertexMain' },
      fragment: { module, entryPoint: 'fragmentMain', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.uniforms = device.createBuffer({
      label: 'swipe view uniforms',
      size: VIEW_UNIFORMS_LAYOUT.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.sampler = device.createSampler({
      label: 'swipe view sampler',
      magFilter: 'nearest',
      minFilter: 'linear',
    });
  }

  private upload(label: string, image: Rgba8Image): GPUTexture {
    const texture = this.device.createTexture({
      label,
      size: [image.width, image.height],
      format: 'rgba8unorm',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
    });
    this.device.queue.writeTexture(
      { texture },
      image.rgba,
      { bytesPerRow: image.width * 4, rowsPerImage: image.height },
      [image.width, image.height],
    );
    return texture;
  }

  setImages(before: Rgba8Image, after: Rgba8Image): void {
    this.destroyTextures();
    const textures: [GPUTexture, GPUTexture] = [
      this.upload('before image', before),
      this.upload('after image', after),
    ];
    this.textures = textures;
    this.imageSize = [before.width, before.height];
    this.bindGroup = this.device.createBindGroup({
      label: 'swipe view bindings',
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniforms } },
        { binding: 1, resource: this.sampler },
        { binding: 2, resource: textures[0].createView() },
        { binding: 3, resource: textures[1].createView() },
      ],
    });
  }

  draw(view: SwipeView): void {
    if (this.bindGroup === undefined) return;
    const rect = fitImage(
      view.canvasWidthPx,
      view.canvasHeightPx,
      this.imageSize[0],
      this.imageSize[1],
    );
    const data = new Float32Array(VIEW_UNIFORMS_LAYOUT.byteLength / 4);
    data.set([
      rect.x,
      rect.y,
      rect.width,
      rect.height,
      rect.x + view.dividerFraction * rect.width,
      1.5,
      0,
      0,
    ]);
    data.set(VIEW_BACKGROUND_RGBA, 8);
    data.set(DIVIDER_RGBA, 12);
    this.device.queue.writeBuffer(this.uniforms, 0, data);
    const encoder = this.device.createCommandEncoder({ label: 'swipe view' });
    const pass = encoder.beginRenderPass({
      label: 'swipe view',
      colorAttachments: [
        {
          view: this.context.getCurrentTexture().createView(),
          loadOp: 'clear',
          storeOp: 'store',
          clearValue: [...VIEW_BACKGROUND_RGBA],
        },
      ],
    });
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, this.bindGroup);
    pass.draw(3);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  private destroyTextures(): void {
    this.textures?.forEach((texture) => {
      texture.destroy();
    });
    this.textures = undefined;
    this.bindGroup = undefined;
  }

  destroy(): void {
    this.destroyTextures();
    this.uniforms.destroy();
    this.context.unconfigure();
  }
}

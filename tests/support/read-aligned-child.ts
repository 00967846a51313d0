/**
 * Child process for tests/unit/large-image.test.ts: opens a large-fixture TIFF
 * from a path, reads it onto a grid `coarsen` times coarser over the whole
 * image (readAligned, as the app's after image and the CLI read), and prints
 * the peak resident memory and the red and green bands as JSON. A process of
 * its own, so its memory peak is the read's alone. Runs under `node --import tsx`.
 */
import { fileSource } from '../../src/cli/file-source.ts';
import { registerNodeDecoders } from '../../src/cli/node-decoders.ts';
import { readAligned, gridOf } from '../../src/io/align-read.ts';
import { openRaster } from '../../src/io/decoder.ts';

registerNodeDecoders();
const [path = '', coarsenText = '16'] = process.argv.slice(2);
const coarsen = Number(coarsenText);
const raster = await openRaster(await fileSource(path));
const grid = gridOf(raster.info);
if (grid === null) throw new Error(`${path} has no georeference`);
const width = Math.floor(grid.width / coarsen);
const height = Math.floor(grid.height / coarsen);
const target = {
  grid: {
    ...grid,
    width,
    height,
    geoTransform: {
      ...grid.geoTransform,
      pixelWidth: grid.geoTransform.pixelWidth * coarsen,
      pixelHeight: grid.geoTransform.pixelHeight * coarsen,
    },
  },
  width,
  height,
  name: 'coarse grid',
};
const aligned = await readAligned(raster, target, {
  shiftPx: [0, 0],
  bands: [0, 1],
  thin: true,
});
process.stdout.write(
  JSON.stringify({
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    width: aligned.width,
    height: aligned.height,
    red: Array.from(aligned.bands[0] ?? []),
    green: Array.from(aligned.bands[1] ?? []),
  }),
);

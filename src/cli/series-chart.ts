/**
 * `renderSeriesChartPng`: a line chart of per-pier TEU over the dates, as a
 * PNG, for `quaywatch series`. Drawn with the same Canvas 2D drawing code
 * style as the snapshot (src/core/export/snapshot-draw.ts) on @napi-rs/canvas.
 */
import { createCanvas } from '@napi-rs/canvas';
import { SNAPSHOT_FONT } from '../core/export/snapshot-draw.ts';
import { axisTicks, dateAxisPositions, type SeriesLine } from '../core/series.ts';

export interface SeriesChartInput {
  /** Date labels along the x axis, in order ("2023-10-13"). */
  readonly dates: readonly string[];
  /** One line per pier; `points[i]` belongs to `dates[i]` (null: no value that date). */
  readonly lines: readonly SeriesLine[];
  /** Drawn above the chart; default "Quaywatch — TEU per pier". */
  readonly title?: string;
  /** Image size in CSS px; default 960 × 540. */
  readonly widthPx?: number;
  readonly heightPx?: number;
}

const LINE_COLOURS = ['#64d2ff', '#ff9f0a', '#30d158', '#ff375f', '#bf5af2', '#ffd60a'];

/** The chart as PNG bytes. */
export function renderSeriesChartPng(series: SeriesChartInput): Uint8Array {
  const width = series.widthPx ?? 960;
  const height = series.heightPx ?? 540;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#11141b';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#e8ecf4';
  ctx.font = `bold 20px ${SNAPSHOT_FONT}`;
  ctx.fillText(series.title ?? 'Quaywatch — TEU per pier', 16, 32);
  const plot = { x: 70, y: 56, width: width - 70 - 200, height: height - 56 - 50 };
  const values = series.lines.flatMap((line) =>
    line.points.flatMap((point) => (point === null ? [] : [point.highTeu, point.teu])),
  );
  const ticks = axisTicks(Math.max(0, ...values));
  const top = ticks[ticks.length - 1] ?? 1;
  // By time, as in the app; centred labels (about 70 px) keep 80 px apart.
  const positions = dateAxisPositions(series.dates, 80 / plot.width);
  const xAt = (index: number): number => plot.x + (positions[index] ?? 0.5) * plot.width;
  const yAt = (teu: number): number => plot.y + plot.height - (teu / top) * plot.height;
  ctx.font = `12px ${SNAPSHOT_FONT}`;
  ctx.strokeStyle = '#3d4459';
  ctx.lineWidth = 1;
  ctx.textAlign = 'right';
  for (const tick of ticks) {
    ctx.beginPath();
    ctx.moveTo(plot.x, yAt(tick));
    ctx.lineTo(plot.x + plot.width, yAt(tick));
    ctx.stroke();
    ctx.fillStyle = '#9aa3b5';
    ctx.fillText(String(Number(tick.toPrecision(6))), plot.x - 8, yAt(tick) + 4);
  }
  ctx.textAlign = 'center';
  series.dates.forEach((date, index) => {
    ctx.fillText(date, xAt(index), plot.y + plot.height + 20);
  });
  ctx.save();
  ctx.translate(18, plot.y + plot.height / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('TEU (top tier)', 0, 0);
  ctx.restore();
  series.lines.forEach((line, lineIndex) => {
    const colour = LINE_COLOURS[lineIndex % LINE_COLOURS.length] ?? '#ffffff';
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let drawing = false;
    line.points.forEach((point, index) => {
      // A date without a value breaks the line rather than bridging it.
      if (point === null) {
        drawing = false;
        return;
      }
      if (drawing) ctx.lineTo(xAt(index), yAt(point.teu));
      else ctx.moveTo(xAt(index), yAt(point.teu));
      drawing = true;
    });
    ctx.stroke();
    line.points.forEach((point, index) => {
      if (point === null) return;
      ctx.fillRect(xAt(index) - 3, yAt(point.teu) - 3, 6, 6);
      ctx.fillRect(xAt(index) - 0.5, yAt(point.highTeu), 1, yAt(point.lowTeu) - yAt(point.highTeu));
    });
    const legendY = plot.y + 10 + lineIndex * 20;
    ctx.fillRect(plot.x + plot.width + 20, legendY - 8, 14, 10);
    ctx.fillStyle = '#e8ecf4';
    ctx.textAlign = 'left';
    ctx.fillText(line.pier, plot.x + plot.width + 40, legendY + 1);
  });
  return new Uint8Array(canvas.toBuffer('image/png'));
}

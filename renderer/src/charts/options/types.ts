/**
 * The option type every chart builder returns. Declared from the type-only side of
 * echarts, so builders (pure functions, unit-tested in Node) do not register modules.
 */
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, CustomSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import type {
  AriaComponentOption, DataZoomComponentOption, GridComponentOption, LegendComponentOption, TitleComponentOption, TooltipComponentOption, VisualMapComponentOption,
} from 'echarts/components';

export type ChartOption = ComposeOption<
  | LineSeriesOption | BarSeriesOption | HeatmapSeriesOption | CustomSeriesOption
  | AriaComponentOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | TitleComponentOption | VisualMapComponentOption | DataZoomComponentOption
>;

/**
 * The ECharts modules this app uses, registered once (tree-shaken `echarts/core` imports:
 * the full bundle is several times larger), and the option type they allow.
 */
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { BarChart, CustomChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, DataZoomInsideComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';

use([CanvasRenderer, AriaComponent, LineChart, BarChart, HeatmapChart, CustomChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, VisualMapComponent, DataZoomInsideComponent]);

export type { ChartOption } from './options/types';

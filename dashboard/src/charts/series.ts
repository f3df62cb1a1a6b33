// Chart input: named series of points, and the theme colours they are drawn with.

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  label: string;
  /** A colour slot of the theme, 1 to 4: `--chart-1` … `--chart-4` in theme.css. */
  colorSlot: 1 | 2 | 3 | 4;
  points: ChartPoint[];
}

export interface ThemeColors {
  series: string[];
  grid: string;
  text: string;
}

/** Reads the chart colours from the CSS custom properties that apply to `element`. */
export function readThemeColors(element: Element): ThemeColors {
  const style = getComputedStyle(element);
  const read = (name: string) => style.getPropertyValue(name).trim();
  return {
    series: [read('--chart-1'), read('--chart-2'), read('--chart-3'), read('--chart-4')],
    grid: read('--grid'),
    text: read('--text-muted'),
  };
}

// Registers only the Chart.js parts the line charts use, so the bundle leaves the rest out.

import { Chart, Filler, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Tooltip);

export { Chart };

// One dashboard for the signals on-call is paged about: a graph per alarm, with its threshold drawn,
// in the same order as the alarm table in docs/deploy.md.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ALARM_IDS, type AlarmSpec, type AlarmId } from './alarms.js';
import type { StackConfig } from './config.js';

const WIDTH = 8;
const HEIGHT = 6;

function widget(config: StackConfig, id: AlarmId, spec: AlarmSpec, index: number) {
  const dimensions = Object.entries(spec.dimensions).flatMap(([name, value]) => [name, value]);
  return {
    type: 'metric',
    x: (index % 3) * WIDTH,
    y: Math.floor(index / 3) * HEIGHT,
    width: WIDTH,
    height: HEIGHT,
    properties: {
      title: id,
      region: config.region,
      view: 'timeSeries',
      period: spec.periodSeconds,
      stat: spec.statistic,
      metrics: [[spec.namespace, spec.metricName, ...dimensions, { stat: spec.statistic }]],
      annotations: { horizontal: [{ label: 'alarm threshold', value: spec.threshold }] },
    },
  };
}

export function createDashboard(config: StackConfig, specs: Record<AlarmId, AlarmSpec>): aws.cloudwatch.Dashboard {
  return new aws.cloudwatch.Dashboard(`${config.prefix}-dashboard`, {
    dashboardName: config.prefix,
    dashboardBody: pulumi.jsonStringify({
      widgets: ALARM_IDS.map((id, index) => widget(config, id, specs[id], index)),
    }),
  });
}

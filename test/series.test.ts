/** The request-path counters and histograms render valid Prometheus text with the right numbers. */
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from '../src/observability/series.js';

describe('FastCounter', () => {
  it('keeps one series per label set and escapes label values', () => {
    const counter = new FastCounter('t_total', 'Test.', ['tenant', 'code']);
    counter.inc(['moi', 'ok']);
    counter.inc(['moi', 'ok'], 2);
    counter.inc(['mo"i\\x', 'ok']);
    counter.inc(['moi', 'model_not_found']);
    expect(counter.render()).toBe(
      '# HELP t_total Test.\n# TYPE t_total counter\n' +
        't_total{tenant="moi",code="ok"} 3\n' +
        't_total{tenant="mo\\"i\\\\x",code="ok"} 1\n' +
        't_total{tenant="moi",code="model_not_found"} 1\n',
    );
  });
});

describe('FastHistogram', () => {
  it('counts cumulative buckets, sum and count', () => {
    const histogram = new FastHistogram('t_seconds', 'Test.', ['op'], [0.01, 0.1, 1]);
    for (const seconds of [0.005, 0.05, 0.05, 0.5, 5]) histogram.observe(['chat'], seconds);
    const lines = histogram.render().split('\n');
    expect(lines).toContain('t_seconds_bucket{op="chat",le="0.01"} 1');
    expect(lines).toContain('t_seconds_bucket{op="chat",le="0.1"} 3');
    expect(lines).toContain('t_seconds_bucket{op="chat",le="1"} 4');
    expect(lines).toContain('t_seconds_bucket{op="chat",le="+Inf"} 5');
    expect(lines).toContain('t_seconds_count{op="chat"} 5');
    expect(lines.find((line) => line.startsWith('t_seconds_sum'))).toMatch(/^t_seconds_sum\{op="chat"\} 5\.60\d*$/);
  });
});

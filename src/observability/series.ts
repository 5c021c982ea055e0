/**
 * Counters and histograms for the request path. prom-client hashes the label object on every
 * observation (a child from `labels()` still does), which cost ~18 µs per request here; these keep a
 * plain record per label set, found by one Map lookup, and write the Prometheus text format only
 * when /metrics is scraped. prom-client still provides the registry, process metrics and gauges.
 */

interface Series {
  readonly labels: string;
  value: number;
  readonly buckets: Float64Array | undefined;
  sum: number;
}

/** Label values → series, one Map level per label: the values are mostly constant strings whose hashes V8 keeps, so no key string is built per observation. */
type SeriesTree = Map<string, SeriesTree | Series>;

abstract class SeriesFamily {
  protected readonly series: Series[] = [];
  private readonly tree: SeriesTree = new Map();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bucketCount: number,
  ) {}

  /** The record for these label values (in `labelNames` order), created on first use. */
  protected at(values: readonly string[]): Series {
    let level = this.tree;
    const last = values.length - 1;
    for (let index = 0; index < last; index += 1) {
      const value = values[index] as string;
      let next = level.get(value) as SeriesTree | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const leafValue = values[last] as string;
    let found = level.get(leafValue) as Series | undefined;
    if (found === undefined) {
      const labels = this.labelNames.map((name, index) => `${name}="${escapeLabel(values[index] ?? '')}"`).join(',');
      found = { labels, value: 0, buckets: this.bucketCount > 0 ? new Float64Array(this.bucketCount) : undefined, sum: 0 };
      level.set(leafValue, found);
      this.series.push(found);
    }
    return found;
  }

  abstract render(): string;
}

export class FastCounter extends SeriesFamily {
  constructor(name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames, 0);
  }

  inc(values: readonly string[], amount = 1): void {
    this.at(values).value += amount;
  }

  render(): string {
    let text = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const series of this.series) text += `${this.name}{${series.labels}} ${series.value}\n`;
    return text;
  }
}

export class FastHistogram extends SeriesFamily {
  constructor(name: string, help: string, labelNames: readonly string[], private readonly bounds: readonly number[]) {
    super(name, help, labelNames, bounds.length);
  }

  observe(values: readonly string[], seconds: number): void {
    const series = this.at(values);
    series.value += 1;
    series.sum += seconds;
    const buckets = series.buckets as Float64Array;
    for (let index = 0; index < this.bounds.length; index += 1) {
      if (seconds <= (this.bounds[index] as number)) {
        buckets[index] = (buckets[index] as number) + 1;
        return;
      }
    }
  }

  render(): string {
    let text = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const series of this.series) {
      const buckets = series.buckets as Float64Array;
      let cumulative = 0;
      const prefix = series.labels === '' ? '' : `${series.labels},`;
      this.bounds.forEach((bound, index) => {
        cumulative += buckets[index] as number;
        text += `${this.name}_bucket{${prefix}le="${bound}"} ${cumulative}\n`;
      });
      text += `${this.name}_bucket{${prefix}le="+Inf"} ${series.value}\n`;
      text += `${this.name}_sum{${series.labels}} ${series.sum}\n`;
      text += `${this.name}_count{${series.labels}} ${series.value}\n`;
    }
    return text;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

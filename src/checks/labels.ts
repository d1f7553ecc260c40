interface Labelled {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

const isConfigKey = (key: string): boolean =>
  key.startsWith('config.linkerd.io') || key.startsWith('config.alpha.linkerd.io') || key === 'linkerd.io/inject';

/** `<heading>` + per object `\n\t* <ns>/<name>` + per key `\n\t\t<key>`, when any object has misplaced keys. */
function misplaced(
  heading: string,
  objects: readonly Labelled[],
  keysOf: (o: Labelled) => Record<string, string> | undefined,
  wrong: (key: string) => boolean,
): void {
  const lines = objects.flatMap((o) => {
    const keys = Object.keys(keysOf(o) ?? {}).filter(wrong);
    if (keys.length === 0) return [];
    return [`\n\t* ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}${keys.map((k) => `\n\t\t${k}`).join('')}`];
  });
  if (lines.length > 0) throw new Error(`${heading}${lines.join('')}`);
}

export function checkPodLabels(pods: readonly Labelled[]): void {
  misplaced('Some labels on data plane pods should be annotations:', pods, (o) => o.metadata?.labels, isConfigKey);
}

export function checkServiceLabels(services: readonly Labelled[]): void {
  misplaced(
    'Some labels on data plane services should be annotations:',
    services,
    (o) => o.metadata?.labels,
    isConfigKey,
  );
}

export function checkServiceAnnotations(services: readonly Labelled[]): void {
  misplaced(
    'Some annotations on data plane services should be labels:',
    services,
    (o) => o.metadata?.annotations,
    (k) => k === 'mirror.linkerd.io/exported',
  );
}

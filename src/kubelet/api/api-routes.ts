import { InvalidInputError } from '../../common/errors.js';

export type RouteName =
  | 'containerLogs'
  | 'statsSummary'
  | 'metricsResource'
  | 'metricsCadvisor'
  | 'metricsProbes'
  | 'metrics'
  | 'pods'
  | 'runningPods'
  | 'healthz'
  | 'readyz'
  | 'exec'
  | 'attach'
  | 'portForward'
  | 'run';

export interface RouteMatch {
  route: RouteName;
  /** Bounded label for `vkcmd_kubelet_http_requests_total{route}`. */
  label: string;
  /**
   * Decoded path parameters, e.g. [namespace, pod, container] for logs;
   * [namespace, pod, uid, container] for the streaming routes (uid '' when
   * the path has none; no container for portForward).
   */
  params: string[];
}

const FIXED: Record<string, RouteName> = {
  '/stats/summary': 'statsSummary',
  '/metrics/resource': 'metricsResource',
  '/metrics/cadvisor': 'metricsCadvisor',
  '/metrics/probes': 'metricsProbes',
  '/metrics': 'metrics',
  '/pods': 'pods',
  '/runningpods': 'runningPods',
  '/healthz': 'healthz',
  '/readyz': 'readyz',
};

const STREAMING: ReadonlyMap<string, RouteName> = new Map<string, RouteName>([
  ['exec', 'exec'],
  ['attach', 'attach'],
  ['portForward', 'portForward'],
  ['run', 'run'],
]);

/** Routes that upgrade to SPDY or WebSocket (and /run, which answers a POST), GET or POST. */
export const STREAMING_ROUTES: ReadonlySet<RouteName> = new Set(['exec', 'attach', 'portForward', 'run']);

/** The route label for paths no route serves. */
export const UNKNOWN_ROUTE_LABEL = 'other';

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidInputError(`invalid path segment ${JSON.stringify(segment)}`);
  }
}

/**
 * Which kubelet API route serves a path; undefined for an unknown path. A
 * trailing slash is tolerated on fixed routes (`/runningpods/` is the
 * kubelet's spelling). Pure; throws InvalidInputError for undecodable paths.
 */
export function matchRoute(pathname: string): RouteMatch | undefined {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  const fixed = FIXED[trimmed];
  if (fixed) return { route: fixed, label: trimmed, params: [] };
  const segments = pathname.split('/');
  if (segments[1] === 'containerLogs' && segments.length === 5) {
    return { route: 'containerLogs', label: '/containerLogs', params: segments.slice(2).map(decodeSegment) };
  }
  const streaming = STREAMING.get(segments[1] ?? '');
  if (streaming) {
    const params = segments.slice(2).map(decodeSegment);
    // {ns}/{pod}[/{uid}], plus /{container} except for portForward; every segment non-empty.
    const withContainer = streaming !== 'portForward';
    const base = withContainer ? 3 : 2;
    if (params.some((p) => p === '') || (params.length !== base && params.length !== base + 1))
      return undefined;
    const [namespace = '', pod = ''] = params;
    const uid = params.length === base + 1 ? (params[2] ?? '') : '';
    const container = withContainer ? [params[params.length - 1] ?? ''] : [];
    return { route: streaming, label: `/${segments[1]}`, params: [namespace, pod, uid, ...container] };
  }
  return undefined;
}

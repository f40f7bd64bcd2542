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
  | 'readyz';

export interface RouteMatch {
  route: RouteName;
  /** Bounded label for `vkcmd_kubelet_http_requests_total{route}`. */
  label: string;
  /** Decoded path parameters, e.g. [namespace, pod, container]. */
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
  return undefined;
}

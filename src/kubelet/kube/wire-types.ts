import type {
  CoreV1Event,
  V1ConfigMap,
  V1Container,
  V1ContainerState,
  V1ContainerStateTerminated,
  V1ContainerStatus,
  V1DownwardAPIVolumeFile,
  V1EnvFromSource,
  V1EnvVar,
  V1EnvVarSource,
  V1KeyToPath,
  V1Lease,
  V1Node,
  V1NodeCondition,
  V1NodeStatus,
  V1Pod,
  V1PodCondition,
  V1PodList,
  V1PodSpec,
  V1PodStatus,
  V1Secret,
  V1Status,
  V1SubjectAccessReview,
  V1Taint,
  V1TokenReview,
  V1Volume,
} from '@kubernetes/client-node';

/*
 * Kubernetes API objects as the kubelet really holds them: parsed JSON.
 *
 * @kubernetes/client-node's model classes describe what its own deserialiser
 * returns, with every metav1.Time and metav1.MicroTime field typed `Date`. The
 * kubelet never runs that deserialiser: its transport (kube-transport.ts)
 * hands back JSON.parse output and sends JSON.stringify input, so at run time
 * each of those fields is a string. Typing them `Date` hid that: code had to
 * cast strings through `unknown` to write a time, and kept Date branches that
 * never ran. These types keep client-node's shapes (imported for types only)
 * with every `Date` turned into a WireTime string, so the compiler refuses a
 * Date where the wire carries a string, and a wire time used as a Date.
 */

/**
 * A time as the API server writes and reads it: metav1.Time is RFC 3339 at
 * second precision ("2025-01-01T00:00:00Z", see rfc3339()); metav1.MicroTime
 * (Lease renewTime, Event eventTime) has exactly six fractional digits (see
 * microTime()). Parse with timeMs().
 */
export type WireTime = string;

/** `any` stays `any` (client-node types free-form members such as managedFields' fieldsV1 so). */
type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * T as JSON carries it: every `Date` member, at any depth, through arrays,
 * maps and optional members, becomes WireTime; everything else keeps its type
 * and optionality.
 */
export type Wire<T> =
  IsAny<T> extends true
    ? T
    : T extends Date
      ? WireTime
      : T extends Array<infer E>
        ? Array<Wire<E>>
        : T extends ReadonlyArray<infer E>
          ? ReadonlyArray<Wire<E>>
          : T extends object
            ? { [K in keyof T]: Wire<T[K]> }
            : T;

export type WirePod = Wire<V1Pod>;
export type WirePodSpec = Wire<V1PodSpec>;
export type WirePodStatus = Wire<V1PodStatus>;
export type WirePodCondition = Wire<V1PodCondition>;
export type WirePodList = Wire<V1PodList>;
export type WireContainer = Wire<V1Container>;
export type WireContainerStatus = Wire<V1ContainerStatus>;
export type WireContainerState = Wire<V1ContainerState>;
export type WireContainerStateTerminated = Wire<V1ContainerStateTerminated>;
export type WireEnvVar = Wire<V1EnvVar>;
export type WireEnvFromSource = Wire<V1EnvFromSource>;
export type WireEnvVarSource = Wire<V1EnvVarSource>;
export type WireVolume = Wire<V1Volume>;
export type WireKeyToPath = Wire<V1KeyToPath>;
export type WireDownwardAPIVolumeFile = Wire<V1DownwardAPIVolumeFile>;
export type WireConfigMap = Wire<V1ConfigMap>;
export type WireSecret = Wire<V1Secret>;

export type WireNode = Wire<V1Node>;
export type WireNodeStatus = Wire<V1NodeStatus>;
export type WireNodeCondition = Wire<V1NodeCondition>;
export type WireTaint = Wire<V1Taint>;
export type WireLease = Wire<V1Lease>;
export type WireEvent = Wire<CoreV1Event>;

export type WireStatus = Wire<V1Status>;
export type WireTokenReview = Wire<V1TokenReview>;
export type WireSubjectAccessReview = Wire<V1SubjectAccessReview>;

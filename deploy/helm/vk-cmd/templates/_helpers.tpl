{{/* Labels on every object: deploy/base's part-of, plus Helm's own. */}}
{{- define "vk-cmd.labels" -}}
app.kubernetes.io/part-of: vk-cmd
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Helm's labels alone, for objects deploy/base does not label (metrics-server). */}}
{{- define "vk-cmd.helmLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

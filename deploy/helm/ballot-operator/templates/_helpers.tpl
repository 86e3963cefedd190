{{/* Object names: fixed to ballot-operator (cluster-scoped RBAC is shared), overridable. */}}
{{- define "ballot-operator.fullname" -}}
{{- default "ballot-operator" .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ballot-operator.selectorLabels" -}}
app.kubernetes.io/name: ballot-operator
app.kubernetes.io/component: operator
{{- end -}}

{{- define "ballot-operator.labels" -}}
app.kubernetes.io/name: ballot-operator
app.kubernetes.io/part-of: ballot
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "ballot-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "ballot-operator.watchNamespaces" -}}
{{- if .Values.watchNamespaces -}}
{{- join "," .Values.watchNamespaces -}}
{{- else -}}
JOSDK_ALL_NAMESPACES
{{- end -}}
{{- end -}}

{{- define "ballot-operator.validate" -}}
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicas) 1) -}}
{{- fail (printf "replicas is %d but leaderElection.enabled is false: two active operators would fight over every ElectionCluster. Set leaderElection.enabled=true or replicas=1." (int .Values.replicas)) -}}
{{- end -}}
{{- if lt (int .Values.replicas) 1 -}}
{{- fail "replicas must be at least 1" -}}
{{- end -}}
{{- end -}}
